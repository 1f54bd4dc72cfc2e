/** Create a topic: name, partitions and an optional retention. */
import { useState } from 'preact/hooks';
import { postJson } from '../api.js';
import { Field } from '../components/field.js';
import { FormPanel } from '../components/form-panel.js';
import { ErrorNotice } from '../components/notice.js';
import { SubmitButton } from '../components/submit-button.js';
import { href, navigate } from '../router.js';
import { useSubmit } from './use-submit.js';

export function CreateTopicForm() {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [retention, setRetention] = useState('');
  const submit = useSubmit<void>();

  const create = () => {
    void submit.run(async () => {
      const configs = retention.trim() === '' ? undefined : { 'retention.ms': retention.trim() };
      await postJson('/topics', { name: name.trim(), partitions: Number(partitions), configs });
      navigate(href(['topics', name.trim()], { created: 1 }));
    });
  };

  return (
    <FormPanel id="create-topic" title="Create a topic" onSubmit={create}>
      <div class="fields">
        <Field id="topic-name" label="Name" hint="Letters, digits, '.', '_' and '-'" wide>
          <input name="name" required maxLength={249} pattern="[a-zA-Z0-9._\-]+" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="topic-partitions" label="Partitions">
          <input name="partitions" type="number" min={1} max={4096} required value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
        </Field>
        <Field id="topic-retention" label="retention.ms (optional)">
          <input name="retention" inputMode="numeric" value={retention} onInput={(e) => setRetention(e.currentTarget.value)} />
        </Field>
        <SubmitButton busy={submit.busy}>Create topic</SubmitButton>
      </div>
      <ErrorNotice error={submit.error} />
    </FormPanel>
  );
}
