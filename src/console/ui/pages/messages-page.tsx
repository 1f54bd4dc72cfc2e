/**
 * The message browser: one partition, from an offset, a time or the latest N,
 * optionally filtered by key. The server sends one page; Older / Newer ask for
 * the next one.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BrowseMode, MessagePage, TopicDetail } from '../../shared/api-types.js';
import { enc, getJson } from '../api.js';
import { DataBlock } from '../components/data-block.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { formatCount, formatTime } from '../format.js';
import { href, navigate, type Route } from '../router.js';
import { useResource } from '../use-resource.js';

interface BrowseState {
  partition: number;
  mode: BrowseMode;
  offset: string;
  timestamp: string;
  limit: number;
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
    partition: Number(query.get('partition') ?? 0) || 0,
    mode: mode === 'offset' || mode === 'timestamp' ? mode : 'latest',
    offset: query.get('offset') ?? '0',
    timestamp: query.get('timestamp') ?? '',
    limit: Number(query.get('limit') ?? 20) || 20,
    key: query.get('key') ?? '',
  };
}

/** The hash query for a browse state; a local datetime input becomes an ISO time. */
function queryOf(s: BrowseState): Record<string, string | number | undefined> {
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
          <div class="field">
            <label for="browse-partition">Partition</label>
            <input id="browse-partition" type="number" min={0} max={partitions - 1} required value={draft.partition} onInput={(e) => set({ partition: Number(e.currentTarget.value) })} />
          </div>
          <div class="field">
            <label for="browse-mode">Start</label>
            <select id="browse-mode" value={draft.mode} onChange={(e) => set({ mode: e.currentTarget.value as BrowseMode })}>
              {MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
          {draft.mode === 'offset' && (
            <div class="field">
              <label for="browse-offset">Offset</label>
              <input id="browse-offset" type="number" min={0} required value={draft.offset} onInput={(e) => set({ offset: e.currentTarget.value })} />
            </div>
          )}
          {draft.mode === 'timestamp' && (
            <div class="field">
              <label for="browse-timestamp">Time (local)</label>
              <input id="browse-timestamp" type="datetime-local" step={1} required value={draft.timestamp} onInput={(e) => set({ timestamp: e.currentTarget.value })} />
            </div>
          )}
          <div class="field">
            <label for="browse-limit">{draft.mode === 'latest' ? 'N (records)' : 'Page size'}</label>
            <input id="browse-limit" type="number" min={1} max={100} required value={draft.limit} onInput={(e) => set({ limit: Number(e.currentTarget.value) })} />
          </div>
          <div class="field">
            <label for="browse-key">Key contains</label>
            <input id="browse-key" type="search" value={draft.key} onInput={(e) => set({ key: e.currentTarget.value })} aria-describedby="browse-key-hint" />
            <span id="browse-key-hint" class="hint">
              Binary keys match as hex
            </span>
          </div>
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
            Offsets {formatCount(p.from)} to {formatCount(Math.max(p.from, p.nextOffset - 1))} read ({formatCount(p.scanned)} scanned); the partition holds offsets{' '}
            {formatCount(p.logStartOffset)} to {formatCount(p.logEndOffset - 1)}.
          </p>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Records of partition {p.partition}</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Offset
                  </th>
                  <th scope="col">Timestamp</th>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col">Headers</th>
                </tr>
              </thead>
              <tbody>
                {p.records.map((r) => (
                  <tr key={r.offset}>
                    <td class="num">{r.offset}</td>
                    <td>{formatTime(r.timestamp)}</td>
                    <td>
                      <DataBlock view={r.key} compact />
                    </td>
                    <td>
                      <DataBlock view={r.value} />
                    </td>
                    <td>
                      {r.headers.length === 0 ? (
                        <span class="muted">none</span>
                      ) : (
                        <dl class="headers">
                          {r.headers.map((h) => (
                            <div key={h.key}>
                              <dt>{h.key}</dt>
                              <dd>
                                <DataBlock view={h.value} compact />
                              </dd>
                            </div>
                          ))}
                        </dl>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Message pages">
            <button
              type="button"
              class="secondary"
              disabled={p.from <= p.logStartOffset}
              onClick={() => go({ ...current, mode: 'offset', offset: String(Math.max(p.logStartOffset, p.from - current.limit)) })}
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
