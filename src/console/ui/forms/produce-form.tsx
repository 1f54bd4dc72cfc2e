/** Produce one test record: partition (or by key), key, value and headers, in text, JSON, base64 or hex. */
import { useState } from 'preact/hooks';
import type { InputFormat, ProduceAnswer } from '../../shared/api-types.js';
import { enc, postJson } from '../api.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { href } from '../router.js';
import { useSubmit } from './use-submit.js';

const FORMATS: Array<{ value: InputFormat; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'json', label: 'JSON' },
  { value: 'base64', label: 'Base64' },
  { value: 'hex', label: 'Hex' },
];

/** "name=value" lines; blank lines are skipped. */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`header line "${line}" is not name=value`);
    headers[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return headers;
}

function FormatSelect({ id, label, value, onChange }: { id: string; label: string; value: InputFormat; onChange: (f: InputFormat) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as InputFormat)}>
        {FORMATS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ProduceForm({ topic, partitions }: { topic: string; partitions: number }) {
  const [partition, setPartition] = useState('');
  const [key, setKey] = useState('');
  const [keyFormat, setKeyFormat] = useState<InputFormat>('text');
  const [value, setValue] = useState('');
  const [valueFormat, setValueFormat] = useState<InputFormat>('text');
  const [headers, setHeaders] = useState('');
  const submit = useSubmit<ProduceAnswer>();

  const send = (event: Event) => {
    event.preventDefault();
    void submit.run(() =>
      postJson<ProduceAnswer>(`/topics/${enc(topic)}/records`, {
        partition: partition === '' ? undefined : Number(partition),
        key: key === '' ? null : key,
        keyFormat,
        value,
        valueFormat,
        headers: parseHeaderLines(headers),
      }),
    );
  };

  return (
    <form class="panel" onSubmit={send} aria-labelledby="produce-heading">
      <h2 id="produce-heading">Produce a test record</h2>
      <div class="fields">
        <div class="field">
          <label for="produce-partition">Partition</label>
          <input id="produce-partition" type="number" min={0} max={partitions - 1} value={partition} onInput={(e) => setPartition(e.currentTarget.value)} aria-describedby="produce-partition-hint" />
          <span id="produce-partition-hint" class="hint">
            Empty: by key, as Kafka's partitioner
          </span>
        </div>
        <div class="field wide">
          <label for="produce-key">Key</label>
          <input id="produce-key" value={key} onInput={(e) => setKey(e.currentTarget.value)} aria-describedby="produce-key-hint" />
          <span id="produce-key-hint" class="hint">
            Empty: no key (null)
          </span>
        </div>
        <FormatSelect id="produce-key-format" label="Key format" value={keyFormat} onChange={setKeyFormat} />
      </div>
      <div class="fields">
        <div class="field wide">
          <label for="produce-value">Value</label>
          <textarea id="produce-value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </div>
        <FormatSelect id="produce-value-format" label="Value format" value={valueFormat} onChange={setValueFormat} />
      </div>
      <div class="fields">
        <div class="field wide">
          <label for="produce-headers">Headers</label>
          <textarea id="produce-headers" value={headers} onInput={(e) => setHeaders(e.currentTarget.value)} aria-describedby="produce-headers-hint" />
          <span id="produce-headers-hint" class="hint">
            One name=value per line
          </span>
        </div>
      </div>
      <p>
        <button type="submit" disabled={submit.busy}>
          Produce record
        </button>
      </p>
      <ErrorNotice error={submit.error} />
      {submit.result && (
        <Notice kind="ok">
          Produced to partition {submit.result.partition} at offset {submit.result.offset}.{' '}
          <a href={href(['topics', topic, 'messages'], { partition: submit.result.partition, mode: 'offset', offset: submit.result.offset })}>Show it</a>
        </Notice>
      )}
    </form>
  );
}
