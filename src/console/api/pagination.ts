/** Server-side pages: the browser never receives more than one page of a long list. */
import type { Page } from '../shared/api-types.js';
import { intParam } from './params.js';

export const MAX_PAGE_SIZE = 500;

export interface PageRequest {
  offset: number;
  limit: number;
}

export function pageRequest(query: URLSearchParams, defaultLimit = 50): PageRequest {
  return {
    offset: intParam(query, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }),
    limit: intParam(query, 'limit', { min: 1, max: MAX_PAGE_SIZE, default: defaultLimit }),
  };
}

export function slicePage<T>(items: readonly T[], page: PageRequest): Page<T> {
  return { items: items.slice(page.offset, page.offset + page.limit), total: items.length, offset: page.offset, limit: page.limit };
}
