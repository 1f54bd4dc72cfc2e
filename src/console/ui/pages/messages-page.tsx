/**
 * The message browser: one partition, from an offset, a time or the latest N,
 * optionally filtered by key. The server sends one page; Older / Newer ask for
 * the next one.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BrowseMode, MessagePage, MessageRow, TopicDetail } from '../../shared/api-types.js';
import { enc, getJson } from '../api.js';
import { DataBlock } from '../components/data-block.js';
import { DataTable, type Column } from '../components/data-table.js';
import { Field } from '../components/field.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { SelectField } from '../components/select-field.js';
import { formatCount, formatTime } from '../format.js';
import type { QueryValues } from '../query-string.js';
import { href, navigate, numberParam, type Route } from '../router.js';
import { useResource } from '../use-resource.js';

/** Number fields are kept as typed: '' while the user clears one to type another number (Number('') is 0). */
interface BrowseState {
  partition: string;
  mode: BrowseMode;
  offset: string;
  timestamp: string;
  limit: string;
  key: string;
}

const MODES: Array<{ value: BrowseMode; label: string }> = [
  { value: 'latest', label: 'Latest N' },
  { value: 'offset', label: 'From offset' },
  { value: 'timestamp', label: 'From time' },
];

function stateOf(query: URLSearchParams): BrowseState {
  const mode = query.get('mode');
  return {
    partition: String(numberParam(query, 'partition', 0)),
    mode: mode === 'offset' || mode === 'timestamp' ? mode : 'latest',
    offset: query.get('offset') ?? '0',
    timestamp: query.get('timestamp') ?? '',
    limit: String(numberParam(query, 'limit', 20)),
    key: query.get('key') ?? '',
  };
}

/** The hash query for a browse state; a local datetime input becomes an ISO time. */
function queryOf(s: BrowseState): QueryValues {
  return {
    partition: s.partition,
    mode: s.mode,
    offset: s.mode === 'offset' ? s.offset : undefined,
    timestamp: s.mode === 'timestamp' ? s.timestamp : undefined,
    limit: s.limit,
    key: s.key || undefined,
  };
}

function apiTimestamp(local: string): string {
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? local : new Date(ms).toISOString();
}

function HeadersCell({ record }: { record: MessageRow }) {
  if (record.headers.length === 0) return <span class="muted">none</span>;
  return (
    <dl class="headers">
      {record.headers.map((h) => (
        <div key={h.key}>
          <dt>{h.key}</dt>
          <dd>
            <DataBlock view={h.value} compact />
          </dd>
        </div>
      ))}
    </dl>
  );
}

const COLUMNS: Array<Column<MessageRow>> = [
  { label: 'Offset', numeric: true, cell: (r) => r.offset },
  { label: 'Timestamp', cell: (r) => formatTime(r.timestamp) },
  { label: 'Key', cell: (r) => <DataBlock view={r.key} compact /> },
  { label: 'Value', cell: (r) => <DataBlock view={r.value} /> },
  { label: 'Headers', cell: (r) => <HeadersCell record={r} /> },
];

/** What the page read and what the partition holds; an empty partition (never written, or purged) holds no offsets at all. */
function pageSummary(p: MessagePage): string {
  const read = p.scanned === 0 ? `Nothing to read from offset ${formatCount(p.from)}` : `Offsets ${formatCount(p.from)} to ${formatCount(Math.max(p.from, p.nextOffset - 1))} read (${formatCount(p.scanned)} scanned)`;
  const holds =
    p.logEndOffset > p.logStartOffset
      ? `the partition holds offsets ${formatCount(p.logStartOffset)} to ${formatCount(p.logEndOffset - 1)}`
      : `the partition holds no records (the next one gets offset ${formatCount(p.logEndOffset)})`;
  return `${read}; ${holds}.`;
}

export function MessagesPage({ name, route }: { name: string; route: Route }) {
  const current = stateOf(route.query);
  const [draft, setDraft] = useState<BrowseState>(current);
  useEffect(() => setDraft(stateOf(route.query)), [route.query.toString()]); // Older / Newer / Back move the form too
  const topic = useResource((signal) => getJson<TopicDetail>(`/topics/${enc(name)}`, { limit: 1 }, signal), [name]);
  const page = useResource(
    (signal) =>
      getJson<MessagePage>(
        `/topics/${enc(name)}/messages`,
        { ...queryOf(current), timestamp: current.mode === 'timestamp' ? apiTimestamp(current.timestamp) : undefined },
        signal,
      ),
    [name, route.query.toString()],
  );
  const set = (patch: Partial<BrowseState>) => setDraft({ ...draft, ...patch });
  const go = (s: BrowseState) => navigate(href(['topics', name, 'messages'], queryOf(s)));
  const p = page.data;
  const partitions = topic.data?.partitions ?? 1;

  return (
    <>
      <PageHeading
        title={`Messages in ${name}`}
        crumbs={[
          { label: 'Topics', href: '#/topics' },
          { label: name, href: href(['topics', name]) },
        ]}
      />
      <form
        class="panel"
        aria-label="Choose messages"
        onSubmit={(e) => {
          e.preventDefault();
          go(draft);
        }}
      >
        <div class="fields">
          <Field id="browse-partition" label="Partition">
            <input type="number" min={0} max={partitions - 1} required value={draft.partition} onInput={(e) => set({ partition: e.currentTarget.value })} />
          </Field>
          <SelectField id="browse-mode" label="Start" value={draft.mode} choices={MODES} onChange={(mode) => set({ mode })} />
          {draft.mode === 'offset' && (
            <Field id="browse-offset" label="Offset">
              <input type="number" min={0} required value={draft.offset} onInput={(e) => set({ offset: e.currentTarget.value })} />
            </Field>
          )}
          {draft.mode === 'timestamp' && (
            <Field id="browse-timestamp" label="Time (local)">
              <input type="datetime-local" step={1} required value={draft.timestamp} onInput={(e) => set({ timestamp: e.currentTarget.value })} />
            </Field>
          )}
          <Field id="browse-limit" label={draft.mode === 'latest' ? 'N (records)' : 'Page size'}>
            <input type="number" min={1} max={100} required value={draft.limit} onInput={(e) => set({ limit: e.currentTarget.value })} />
          </Field>
          <Field id="browse-key" label="Key contains" hint="Binary keys match as hex">
            <input type="search" value={draft.key} onInput={(e) => set({ key: e.currentTarget.value })} />
          </Field>
          <button type="submit">Show messages</button>
        </div>
      </form>
      <ErrorNotice error={page.error ?? topic.error} />
      {page.loading && !p && <p aria-live="polite">Loading…</p>}
      {p && (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading">
            Partition {p.partition}: {formatCount(p.records.length)} record{p.records.length === 1 ? '' : 's'}
          </h2>
          <p class="hint" aria-live="polite">
            {pageSummary(p)}
          </p>
          <DataTable caption={`Records of partition ${p.partition}`} hiddenCaption columns={COLUMNS} rows={p.records} rowKey={(r) => r.offset} />
          <nav class="pager" aria-label="Message pages">
            <button
              type="button"
              class="secondary"
              disabled={p.from <= p.logStartOffset}
              onClick={() => go({ ...current, mode: 'offset', offset: String(Math.max(p.logStartOffset, p.from - Number(current.limit))) })}
            >
              Older
            </button>
            <button type="button" class="secondary" disabled={p.nextOffset >= p.logEndOffset} onClick={() => go({ ...current, mode: 'offset', offset: String(p.nextOffset) })}>
              Newer
            </button>
          </nav>
        </section>
      )}
    </>
  );
}
