/** Create a topic: name, partitions and an optional retention. */
import { useState } from 'preact/hooks';
import { postJson } from '../api.js';
import { ErrorNotice } from '../components/notice.js';
import { href, navigate } from '../router.js';

export function CreateTopicForm() {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [retention, setRetention] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const configs = retention.trim() === '' ? undefined : { 'retention.ms': retention.trim() };
      await postJson('/topics', { name: name.trim(), partitions: Number(partitions), configs });
      navigate(href(['topics', name.trim()], { created: 1 }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="create-topic-heading">
      <h2 id="create-topic-heading">Create a topic</h2>
      <div class="fields">
        <div class="field wide">
          <label for="topic-name">Name</label>
          <input id="topic-name" name="name" required maxLength={249} pattern="[a-zA-Z0-9._\-]+" aria-describedby="topic-name-hint" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <span id="topic-name-hint" class="hint">
            Letters, digits, '.', '_' and '-'
          </span>
        </div>
        <div class="field">
          <label for="topic-partitions">Partitions</label>
          <input id="topic-partitions" name="partitions" type="number" min={1} max={4096} required value={partitions} onInput={(e) => setPartitions(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="topic-retention">retention.ms (optional)</label>
          <input id="topic-retention" name="retention" inputMode="numeric" value={retention} onInput={(e) => setRetention(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Create topic
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}
