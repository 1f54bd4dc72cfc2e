/** Previous / next over a server-side page, with "1–50 of 1,000". */
import type { Page } from '../../shared/api-types.js';
import { rangeLabel } from '../format.js';

export function Pager<T>({ page, label, onOffset }: { page: Page<T>; label: string; onOffset: (offset: number) => void }) {
  const hasPrevious = page.offset > 0;
  const hasNext = page.offset + page.items.length < page.total;
  if (!hasPrevious && !hasNext) return <p class="muted">{rangeLabel(page.offset, page.items.length, page.total)}</p>;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" class="secondary" disabled={!hasPrevious} onClick={() => onOffset(Math.max(0, page.offset - page.limit))}>
        Previous page
      </button>
      <span aria-live="polite">{rangeLabel(page.offset, page.items.length, page.total)}</span>
      <button type="button" class="secondary" disabled={!hasNext} onClick={() => onOffset(page.offset + page.limit)}>
        Next page
      </button>
    </nav>
  );
}
