/**
 * A list the server pages, under a filter form: the route's ?q= and ?offset=
 * choose the page, which reloads at the sampling interval. One section of the
 * console ("topics") is both its hash route (#/topics) and its API path (/api/topics).
 */
import type { ComponentChildren } from 'preact';
import type { Page } from '../../shared/api-types.js';
import { href, navigate, numberParam, type Route } from '../router.js';
import { useSampledJson } from '../use-sampled-json.js';
import { DataTable, type Column } from './data-table.js';
import { FilterForm } from './filter-form.js';
import { ErrorNotice } from './notice.js';
import { Pager } from './pager.js';

const PAGE_SIZE = 50;

/** What a list shows and how it is named. */
export interface ListSpec<T> {
  section: string;
  filter: { id: string; label: string };
  caption: (q: string, total: number) => ComponentChildren;
  columns: ReadonlyArray<Column<T>>;
  rowKey: (row: T) => string;
  /** names the pager ("Topics" -> "Topics pages") */
  pagerLabel: string;
  /** said under the table when the list is empty */
  emptyText?: string;
}

export function FilteredList<T>({ route, list: { section, filter, caption, columns, rowKey, pagerLabel, emptyText } }: { route: Route; list: ListSpec<T> }) {
  const q = route.query.get('q') ?? '';
  const offset = numberParam(route.query, 'offset', 0);
  const page = useSampledJson<Page<T>>(`/${section}`, { q, offset, limit: PAGE_SIZE });
  return (
    <>
      <FilterForm id={filter.id} label={filter.label} value={q} onFilter={(value) => navigate(href([section], { q: value }))} />
      <ErrorNotice error={page.error} />
      {page.data && (
        <>
          <DataTable caption={caption(q, page.data.total)} columns={columns} rows={page.data.items} rowKey={rowKey} />
          {emptyText !== undefined && page.data.total === 0 && <p class="muted">{emptyText}</p>}
          <Pager page={page.data} label={pagerLabel} onOffset={(o) => navigate(href([section], { q, offset: o }))} />
        </>
      )}
    </>
  );
}
