/** The page a list view asks for: names containing ?q= (in any case), sorted by name, then ?offset= and ?limit=. */
import type { Page } from '../shared/api-types.js';
import { pageRequest, slicePage } from './pagination.js';

/** Checks the query before it loads the list, so bad input never reaches Floe. */
export async function filteredPage<T>(query: URLSearchParams, load: () => Promise<readonly T[]>, nameOf: (item: T) => string): Promise<Page<T>> {
  const page = pageRequest(query);
  const filter = (query.get('q') ?? '').toLowerCase();
  const matching = (await load()).filter((item) => nameOf(item).toLowerCase().includes(filter)).sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
  return slicePage(matching, page);
}
