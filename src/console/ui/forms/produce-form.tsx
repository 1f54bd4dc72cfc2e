/** Produce one test record: partition (or by key), key, value and headers, in text, JSON, base64 or hex. */
import { useState } from 'preact/hooks';
import type { InputFormat, ProduceAnswer } from '../../shared/api-types.js';
import { enc, postJson } from '../api.js';
import { Field } from '../components/field.js';
import { FormPanel } from '../components/form-panel.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SelectField, type Choice } from '../components/select-field.js';
import { SubmitButton } from '../components/submit-button.js';
import { href } from '../router.js';
import { useSubmit } from './use-submit.js';

const FORMATS: Array<Choice<InputFormat>> = [
  { value: 'text', label: 'Text' },
  { value: 'json', label: 'JSON' },
  { value: 'base64', label: 'Base64' },
  { value: 'hex', label: 'Hex' },
];

/** "name=value" lines; blank lines are skipped. A name given twice is refused: the form sends one value per name. */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`header line "${line}" is not name=value`);
    const name = line.slice(0, eq).trim();
    if (Object.hasOwn(headers, name)) throw new Error(`header "${name}" is given twice; this form sends one value per header name`);
    headers[name] = line.slice(eq + 1);
  }
  return headers;
}

export function ProduceForm({ topic, partitions, onDone }: { topic: string; partitions: number; onDone: () => void }) {
  const [partition, setPartition] = useState('');
  const [key, setKey] = useState('');
  const [keyFormat, setKeyFormat] = useState<InputFormat>('text');
  const [value, setValue] = useState('');
  const [valueFormat, setValueFormat] = useState<InputFormat>('text');
  const [headers, setHeaders] = useState('');
  const submit = useSubmit<ProduceAnswer>();

  const send = async () => {
    const written = await submit.run(() =>
      postJson<ProduceAnswer>(`/topics/${enc(topic)}/records`, {
        partition: partition === '' ? undefined : Number(partition),
        key: key === '' ? null : key,
        keyFormat,
        value,
        valueFormat,
        headers: parseHeaderLines(headers),
      }),
    );
    if (written) onDone(); // the partition table shows the new log end now, not at the next refresh
  };

  return (
    <FormPanel id="produce" title="Produce a test record" onSubmit={send}>
      <div class="fields">
        <Field id="produce-partition" label="Partition" hint="Empty: by key, as Kafka's partitioner">
          <input type="number" min={0} max={partitions - 1} value={partition} onInput={(e) => setPartition(e.currentTarget.value)} />
        </Field>
        <Field id="produce-key" label="Key" hint="Empty: no key (null)" wide>
          <input value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </Field>
        <SelectField id="produce-key-format" label="Key format" value={keyFormat} choices={FORMATS} onChange={setKeyFormat} />
      </div>
      <div class="fields">
        <Field id="produce-value" label="Value" wide>
          <textarea value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </Field>
        <SelectField id="produce-value-format" label="Value format" value={valueFormat} choices={FORMATS} onChange={setValueFormat} />
      </div>
      <div class="fields">
        <Field id="produce-headers" label="Headers" hint="One name=value per line" wide>
          <textarea value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} />
        </Field>
      </div>
      <p>
        <SubmitButton busy={submit.busy}>Produce record</SubmitButton>
      </p>
      <ErrorNotice error={submit.error} />
      {submit.result && (
        <Notice kind="ok">
          Produced to partition {submit.result.partition} at offset {submit.result.offset}.{' '}
          <a href={href(['topics', topic, 'messages'], { partition: submit.result.partition, mode: 'offset', offset: submit.result.offset })}>Show it</a>
        </Notice>
      )}
    </FormPanel>
  );
}
