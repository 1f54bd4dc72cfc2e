/** DynamoDB expression bounds, read off an expression string the way DynamoDB counts them (tests of writes built near the limits). */

/** Operators in an expression: each `+`, function call and AND/OR/NOT, and in a condition each comparison. */
export const operatorsIn = (expression: string, condition = false): number =>
  (expression.match(/\+/g) ?? []).length +
  (expression.match(/[a-z_]+\(/g) ?? []).length +
  (expression.match(/\b(AND|OR|NOT)\b/g) ?? []).length +
  (condition ? (expression.match(/<>|<=|>=|=|<|>/g) ?? []).length : 0);
