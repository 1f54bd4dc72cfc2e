/** Default values of fields: the schema's, else Kafka's implicit ones (0, "", false, empty, zero uuid). */
import type { FieldPlan, StructPlan } from './plan.js';
import type { KafkaStruct, KafkaValue } from './schema.js';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const EMPTY = Buffer.alloc(0);

export function defaultValue(plan: FieldPlan): KafkaValue {
  if (plan.explicitDefault !== undefined) return plan.explicitDefault;
  if (plan.array) return [];
  switch (plan.kind) {
    case 'bool':
      return false;
    case 'int64':
      return 0n;
    case 'string':
      return '';
    case 'bytes':
      return EMPTY;
    case 'records':
      // Not null even where nullable: brokers send an empty record set, and librdkafka rejects a null one.
      return EMPTY;
    case 'uuid':
      return ZERO_UUID;
    case 'struct':
      return defaultStruct(plan.struct as StructPlan);
    default:
      return 0;
  }
}

export function defaultStruct(struct: StructPlan): KafkaStruct {
  const out: Record<string, KafkaValue> = {};
  for (const plan of struct.fields) out[plan.name] = defaultValue(plan);
  for (const plan of struct.tagged) out[plan.name] = defaultValue(plan);
  return out;
}

/** Kafka leaves a tagged field off the wire when it holds its default. */
export function isDefault(plan: FieldPlan, value: KafkaValue | undefined): boolean {
  if (value === undefined) return true;
  const fallback = defaultValue(plan);
  if (value === null || fallback === null) return value === fallback;
  if (plan.array) return Array.isArray(value) && value.length === 0 && Array.isArray(fallback);
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(fallback) && value.equals(fallback);
  if (plan.kind === 'int64') return BigInt(value as bigint | number) === fallback;
  if (plan.kind === 'struct') {
    const struct = plan.struct as StructPlan;
    const record = value as KafkaStruct;
    return [...struct.fields, ...struct.tagged].every((field) => isDefault(field, record[field.name]));
  }
  return value === fallback;
}
