/**
 * Delete records like kafka-delete-records.sh: a partition's log start moves up
 * to an offset (or the log end: a purge), and readers no longer see what was
 * below it. It cannot be undone, so the form asks for a confirmation first.
 */
import { useState } from 'preact/hooks';
import type { DeleteRecordsAnswer, DeleteRecordsRequest } from '../../shared/api-types.js';
import { enc, postJson } from '../api.js';
import { Confirmation } from '../components/confirmation.js';
import { Field } from '../components/field.js';
import { FormPanel } from '../components/form-panel.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SelectField, type Choice } from '../components/select-field.js';
import { SubmitButton } from '../components/submit-button.js';
import { formatCount } from '../format.js';
import { useSubmit } from './use-submit.js';

type UpTo = 'offset' | 'end';

const UP_TO: Array<Choice<UpTo>> = [
  { value: 'offset', label: 'An offset' },
  { value: 'end', label: 'The log end (purge)' },
];

export function DeleteRecordsForm({ topic, partitions, onDone }: { topic: string; partitions: number; onDone: () => void }) {
  const [partition, setPartition] = useState('0');
  const [upTo, setUpTo] = useState<UpTo>('offset');
  const [offset, setOffset] = useState('');
  const [pending, setPending] = useState<{ partition: number; offset: number } | undefined>(undefined);
  const submit = useSubmit<DeleteRecordsAnswer>();

  const confirm = async () => {
    if (!pending) return;
    const body: DeleteRecordsRequest = { partitions: [pending] };
    const answer = await submit.run(() => postJson<DeleteRecordsAnswer>(`/topics/${enc(topic)}/delete-records`, body));
    setPending(undefined);
    if (answer) onDone();
  };
  const done = submit.result?.partitions[0];

  return (
    <FormPanel
      id="delete-records"
      title="Delete records"
      onSubmit={() => {
        submit.clear();
        setPending({ partition: Number(partition), offset: upTo === 'end' ? -1 : Number(offset) });
      }}
    >
      <p class="hint">Moves the partition's log start offset: records below it are gone for every reader. It cannot be undone.</p>
      <div class="fields">
        <Field id="delete-partition" label="From partition" hint={`0 to ${partitions - 1}`}>
          <input type="number" min={0} max={partitions - 1} required value={partition} onInput={(e) => setPartition(e.currentTarget.value)} />
        </Field>
        <SelectField id="delete-up-to" label="Delete up to" value={upTo} choices={UP_TO} onChange={setUpTo} />
        {upTo === 'offset' && (
          <Field id="delete-offset" label="Before offset" hint="Records below this offset go">
            <input type="number" min={0} required value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
          </Field>
        )}
        <SubmitButton busy={submit.busy}>Delete records…</SubmitButton>
      </div>
      {pending && (
        <Confirmation
          id="delete-confirm-heading"
          title={
            pending.offset === -1
              ? `Delete every record of partition ${pending.partition}?`
              : `Delete the records of partition ${pending.partition} below offset ${formatCount(pending.offset)}?`
          }
          confirmLabel="Confirm delete"
          busy={submit.busy}
          onConfirm={confirm}
          onCancel={() => setPending(undefined)}
          asking={pending}
        />
      )}
      <ErrorNotice error={submit.error} />
      {done && <Notice kind="ok">Partition {done.partition} now starts at offset {formatCount(done.lowWatermark)}.</Notice>}
    </FormPanel>
  );
}
