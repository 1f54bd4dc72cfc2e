/**
 * Reset a group's committed offsets like kafka-consumer-groups --reset-offsets:
 * a dry run shows the new offsets first, then "Execute" writes them. Floe
 * refuses (NON_EMPTY_GROUP) while the group has live members.
 */
import { useState } from 'preact/hooks';
import type { ResetAnswer, ResetRequest, ResetTarget } from '../../shared/api-types.js';
import { enc, postJson } from '../api.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { formatCount } from '../format.js';
import { useSubmit } from './use-submit.js';

const TARGETS: Array<{ value: ResetTarget; label: string }> = [
  { value: 'earliest', label: 'Earliest' },
  { value: 'latest', label: 'Latest' },
  { value: 'datetime', label: 'Date and time' },
  { value: 'offset', label: 'Offset' },
];

function partitionList(text: string): number[] | undefined {
  if (text.trim() === '') return undefined;
  return text.split(',').map((p) => Number(p.trim()));
}

export function ResetOffsetsForm({ groupId, topics, onDone }: { groupId: string; topics: string[]; onDone: () => void }) {
  const [topic, setTopic] = useState(topics[0] ?? '');
  const [partitions, setPartitions] = useState('');
  const [to, setTo] = useState<ResetTarget>('earliest');
  const [datetime, setDatetime] = useState('');
  const [offset, setOffset] = useState('0');
  const [plan, setPlan] = useState<{ request: ResetRequest; answer: ResetAnswer } | undefined>(undefined);
  const submit = useSubmit<ResetAnswer>();

  const request = (dryRun: boolean): ResetRequest => ({
    topic: topic.trim(),
    partitions: partitionList(partitions),
    to,
    datetime: to === 'datetime' && datetime !== '' ? new Date(datetime).toISOString() : undefined,
    offset: to === 'offset' ? Number(offset) : undefined,
    dryRun,
  });
  const path = `/groups/${enc(groupId)}/offsets/reset`;

  const preview = async (event: Event) => {
    event.preventDefault();
    setPlan(undefined);
    const r = request(true);
    const answer = await submit.run(() => postJson<ResetAnswer>(path, r));
    if (answer) setPlan({ request: r, answer });
  };

  const execute = async () => {
    if (!plan) return;
    const answer = await submit.run(() => postJson<ResetAnswer>(path, { ...plan.request, dryRun: false }));
    if (answer) {
      setPlan(undefined);
      onDone();
    }
  };

  return (
    <form class="panel" onSubmit={preview} aria-labelledby="reset-heading">
      <h2 id="reset-heading">Reset offsets</h2>
      <p class="hint">Only while the group has no live member. Preview first (a dry run), then execute.</p>
      <div class="fields">
        <div class="field">
          <label for="reset-topic">Topic</label>
          <input id="reset-topic" list="reset-topics" required value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
          <datalist id="reset-topics">
            {topics.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="reset-partitions">Partitions</label>
          <input id="reset-partitions" placeholder="all" value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} aria-describedby="reset-partitions-hint" />
          <span id="reset-partitions-hint" class="hint">
            e.g. 0,2; empty: all
          </span>
        </div>
        <div class="field">
          <label for="reset-to">Reset to</label>
          <select id="reset-to" value={to} onChange={(e) => setTo(e.currentTarget.value as ResetTarget)}>
            {TARGETS.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        {to === 'datetime' && (
          <div class="field">
            <label for="reset-datetime">Date and time (local)</label>
            <input id="reset-datetime" type="datetime-local" step={1} required value={datetime} onInput={(e) => setDatetime(e.currentTarget.value)} />
          </div>
        )}
        {to === 'offset' && (
          <div class="field">
            <label for="reset-offset">Offset</label>
            <input id="reset-offset" type="number" min={0} required value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
          </div>
        )}
        <button type="submit" disabled={submit.busy}>
          Preview (dry run)
        </button>
      </div>
      <ErrorNotice error={submit.error} />
      {plan && (
        <section aria-labelledby="reset-plan-heading">
          <h3 id="reset-plan-heading">Dry run: nothing changed yet</h3>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">New offsets of the dry run</caption>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col" class="num">
                    Partition
                  </th>
                  <th scope="col" class="num">
                    Committed now
                  </th>
                  <th scope="col" class="num">
                    New offset
                  </th>
                </tr>
              </thead>
              <tbody>
                {plan.answer.partitions.map((p) => (
                  <tr key={`${p.topic}:${p.partition}`}>
                    <td>{p.topic}</td>
                    <td class="num">{p.partition}</td>
                    <td class="num">{p.previousOffset < 0 ? 'none' : formatCount(p.previousOffset)}</td>
                    <td class="num">{formatCount(p.newOffset)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="toolbar">
            <button type="button" class="danger" onClick={execute} disabled={submit.busy}>
              Execute reset
            </button>
            <button type="button" class="secondary" onClick={() => setPlan(undefined)}>
              Cancel
            </button>
          </p>
        </section>
      )}
      {submit.result && !submit.result.dryRun && (
        <Notice kind="ok">
          Offsets reset: {submit.result.partitions.map((p) => `${p.topic}/${p.partition} → ${p.newOffset}`).join(', ')}.
        </Notice>
      )}
    </form>
  );
}
