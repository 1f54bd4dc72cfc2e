/**
 * Reset a group's committed offsets like kafka-consumer-groups --reset-offsets:
 * a dry run shows the new offsets first, then "Execute" writes them. Floe
 * refuses (NON_EMPTY_GROUP) while the group has live members.
 */
import { useState } from 'preact/hooks';
import type { ResetAnswer, ResetRequest, ResetTarget } from '../../shared/api-types.js';
import { enc, postJson } from '../api.js';
import { Confirmation } from '../components/confirmation.js';
import { DataTable, type Column } from '../components/data-table.js';
import { Field } from '../components/field.js';
import { FormPanel } from '../components/form-panel.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SelectField, type Choice } from '../components/select-field.js';
import { SubmitButton } from '../components/submit-button.js';
import { formatCount } from '../format.js';
import { useSubmit } from './use-submit.js';

const TARGETS: Array<Choice<ResetTarget>> = [
  { value: 'earliest', label: 'Earliest' },
  { value: 'latest', label: 'Latest' },
  { value: 'datetime', label: 'Date and time' },
  { value: 'offset', label: 'Offset' },
];

const PLAN_COLUMNS: Array<Column<ResetAnswer['partitions'][number]>> = [
  { label: 'Topic', cell: (p) => p.topic },
  { label: 'Partition', numeric: true, cell: (p) => p.partition },
  { label: 'Committed now', numeric: true, cell: (p) => (p.previousOffset < 0 ? 'none' : formatCount(p.previousOffset)) },
  { label: 'New offset', numeric: true, cell: (p) => formatCount(p.newOffset) },
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

  const preview = async () => {
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
    <FormPanel id="reset" title="Reset offsets" onSubmit={preview}>
      <p class="hint">Only while the group has no live member. Preview first (a dry run), then execute.</p>
      <div class="fields">
        <Field id="reset-topic" label="Topic">
          <input list="reset-topics" required value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        </Field>
        <datalist id="reset-topics">
          {topics.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Field id="reset-partitions" label="Partitions" hint="e.g. 0,2; empty: all">
          <input placeholder="all" value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
        </Field>
        <SelectField id="reset-to" label="Reset to" value={to} choices={TARGETS} onChange={setTo} />
        {to === 'datetime' && (
          <Field id="reset-datetime" label="Date and time (local)">
            <input type="datetime-local" step={1} required value={datetime} onInput={(e) => setDatetime(e.currentTarget.value)} />
          </Field>
        )}
        {to === 'offset' && (
          <Field id="reset-offset" label="Offset">
            <input type="number" min={0} required value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
          </Field>
        )}
        <SubmitButton busy={submit.busy}>Preview (dry run)</SubmitButton>
      </div>
      <ErrorNotice error={submit.error} />
      {plan && (
        <Confirmation
          id="reset-plan-heading"
          title="Dry run: nothing changed yet"
          confirmLabel="Execute reset"
          busy={submit.busy}
          onConfirm={execute}
          onCancel={() => setPlan(undefined)}
          asking={plan}
        >
          <DataTable caption="New offsets of the dry run" hiddenCaption columns={PLAN_COLUMNS} rows={plan.answer.partitions} rowKey={(p) => `${p.topic}:${p.partition}`} />
        </Confirmation>
      )}
      {submit.result && !submit.result.dryRun && (
        <Notice kind="ok">
          Offsets reset: {submit.result.partitions.map((p) => `${p.topic}/${p.partition} → ${p.newOffset}`).join(', ')}.
        </Notice>
      )}
    </FormPanel>
  );
}
