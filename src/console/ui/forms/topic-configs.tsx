/**
 * A topic's configs, each marked as set on the topic (an override) or the
 * deployment's default, like kafka-configs --describe; with writes allowed, a
 * form sets one and each override has a button that takes it back to the default.
 */
import { useState } from 'preact/hooks';
import type { ConfigsRequest, TopicDetail } from '../../shared/api-types.js';
import { enc, postJson } from '../api.js';
import { DataTable, type Column } from '../components/data-table.js';
import { Field } from '../components/field.js';
import { FormPanel } from '../components/form-panel.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { SelectField } from '../components/select-field.js';
import { SubmitButton } from '../components/submit-button.js';
import { formatCount } from '../format.js';
import { useSubmit } from './use-submit.js';

type ConfigRow = { name: string; value: string | number; override: boolean | null };

/** Kafka's "never" (Long.MAX) is kept as the largest exact integer: shown as what it means, not as 9,007,199,254,740,991. */
const KAFKA_NEVER = 'no limit (9223372036854775807)';

const showValue = (value: string | number) => (value === Number.MAX_SAFE_INTEGER ? KAFKA_NEVER : typeof value === 'number' ? formatCount(value) : value);

export function TopicConfigs({ topic, readOnly, onDone }: { topic: TopicDetail; readOnly: boolean; onDone: () => void }) {
  const names = Object.keys(topic.configs);
  const [name, setName] = useState(names[0] ?? '');
  const [value, setValue] = useState('');
  // One submit for both the form and the reset buttons: a single answer under the table says what changed.
  const submit = useSubmit<{ text: string }>();
  const change = async (configs: ConfigsRequest['configs'], text: (after: TopicDetail['configs']) => string) => {
    const after = await submit.run(async () => {
      const answer = await postJson<{ configs: TopicDetail['configs'] }>(`/topics/${enc(topic.name)}/configs`, { configs } satisfies ConfigsRequest);
      return { text: text(answer.configs) };
    });
    if (after) onDone();
  };

  const overrides = topic.overrides === null ? null : new Set(topic.overrides);
  const rows: ConfigRow[] = Object.entries(topic.configs).map(([n, v]) => ({ name: n, value: v, override: overrides && overrides.has(n) }));
  const columns: Array<Column<ConfigRow>> = [
    { label: 'Name', cell: (r) => r.name },
    { label: 'Value', numeric: true, cell: (r) => showValue(r.value) },
  ];
  if (overrides) {
    columns.push({ label: 'Source', cell: (r) => (r.override ? <strong>set on the topic</strong> : <span class="muted">default</span>) });
    if (!readOnly) {
      columns.push({
        label: 'Action',
        cell: (r) =>
          r.override && (
            <button
              type="button"
              class="secondary"
              disabled={submit.busy}
              aria-label={`Reset to default: ${r.name}`}
              onClick={() => change({ [r.name]: null }, (after) => `${r.name} is back to the default (${showValue(after[r.name] ?? '')}).`)}
            >
              Reset to default
            </button>
          ),
      });
    }
  }

  return (
    <>
      <h2 id="configs-heading">Configs</h2>
      {overrides && <p class="muted">{overrides.size === 0 ? 'Every config follows the deployment default.' : `${overrides.size} set on the topic; the others follow the deployment defaults.`}</p>}
      <DataTable labelledBy="configs-heading" scrolls={false} columns={columns} rows={rows} rowKey={(r) => r.name} />
      {!readOnly && (
        <FormPanel
          id="edit-config"
          title="Set a config"
          onSubmit={() => change({ [name]: value.trim() }, (after) => `${name} is now ${showValue(after[name] ?? '')}.`)}
        >
          <div class="fields">
            <SelectField id="config-name" label="Config" value={name} choices={names.map((n) => ({ value: n, label: n }))} onChange={setName} />
            <Field id="config-value" label="New value" hint={`Now ${showValue(topic.configs[name] ?? '')}. Set on this topic until reset to the default.`}>
              <input required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
            </Field>
            <SubmitButton busy={submit.busy}>Save config</SubmitButton>
          </div>
        </FormPanel>
      )}
      <ErrorNotice error={submit.error} />
      {submit.result && <Notice kind="ok">{submit.result.text}</Notice>}
    </>
  );
}
