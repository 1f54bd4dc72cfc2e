/** Query strings of API calls and hash links: empty and undefined values are left out. */
export type QueryValues = Record<string, string | number | undefined>;

/** "?a=1&b=x", or "" when no value is set. */
export function queryString(query: QueryValues): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}
