/** A GET of the JSON API for a page of live numbers: reloaded at the console's sampling interval, and afresh when the path or query changes. */
import { getJson } from './api.js';
import { useConsoleInfo } from './console-info.js';
import { queryString, type QueryValues } from './query-string.js';
import { useResource, type Resource } from './use-resource.js';

export function useSampledJson<T>(path: string, query: QueryValues = {}): Resource<T> {
  const { sampleIntervalMs } = useConsoleInfo();
  return useResource((signal) => getJson<T>(path, query, signal), [path, queryString(query)], sampleIntervalMs);
}
