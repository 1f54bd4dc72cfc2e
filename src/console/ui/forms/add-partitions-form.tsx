/** Add partitions: the new, larger total (Kafka's --alter --partitions). */
import { useEffect, useState } from 'preact/hooks';
import { enc, postJson } from '../api.js';
import { Field } from '../components/field.js';
import { FormPanel } from '../components/form-panel.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SubmitButton } from '../components/submit-button.js';
import { useSubmit } from './use-submit.js';

export function AddPartitionsForm({ topic, current, onDone }: { topic: string; current: number; onDone: () => void }) {
  const [count, setCount] = useState(String(current + 1));
  // After an add the page reloads with the new count: a stale target would fail the field's own min.
  useEffect(() => setCount(String(current + 1)), [current]);
  const submit = useSubmit<{ partitions: number }>();
  return (
    <FormPanel
      id="add-partitions"
      title="Add partitions"
      onSubmit={async () => {
        if (await submit.run(() => postJson(`/topics/${enc(topic)}/partitions`, { count: Number(count) }))) onDone();
      }}
    >
      <div class="fields">
        <Field id="partition-count" label="New partition count" hint={`Now ${current}. Partitions can be added, never removed.`}>
          <input type="number" min={current + 1} max={4096} required value={count} onInput={(e) => setCount(e.currentTarget.value)} />
        </Field>
        <SubmitButton busy={submit.busy}>Add partitions</SubmitButton>
      </div>
      <ErrorNotice error={submit.error} />
      {submit.result && <Notice kind="ok">The topic now has {submit.result.partitions} partitions.</Notice>}
    </FormPanel>
  );
}
