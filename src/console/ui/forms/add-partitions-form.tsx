/** Add partitions: the new, larger total (Kafka's --alter --partitions). */
import { useState } from 'preact/hooks';
import { enc, postJson } from '../api.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { useSubmit } from './use-submit.js';

export function AddPartitionsForm({ topic, current, onDone }: { topic: string; current: number; onDone: () => void }) {
  const [count, setCount] = useState(String(current + 1));
  const submit = useSubmit<{ partitions: number }>();
  return (
    <form
      class="panel"
      aria-labelledby="add-partitions-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await submit.run(() => postJson(`/topics/${enc(topic)}/partitions`, { count: Number(count) }))) onDone();
      }}
    >
      <h2 id="add-partitions-heading">Add partitions</h2>
      <div class="fields">
        <div class="field">
          <label for="partition-count">New partition count</label>
          <input id="partition-count" type="number" min={current + 1} max={4096} required value={count} onInput={(e) => setCount(e.currentTarget.value)} aria-describedby="partition-count-hint" />
          <span id="partition-count-hint" class="hint">
            Now {current}. Partitions can be added, never removed.
          </span>
        </div>
        <button type="submit" disabled={submit.busy}>
          Add partitions
        </button>
      </div>
      <ErrorNotice error={submit.error} />
      {submit.result && <Notice kind="ok">The topic now has {submit.result.partitions} partitions.</Notice>}
    </form>
  );
}
