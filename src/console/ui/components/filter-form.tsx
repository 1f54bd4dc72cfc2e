/** The search form above a list: hands the text typed to onFilter (which puts it in the route's ?q=). */
import { Field } from './field.js';

export function FilterForm({ id, label, value, onFilter }: { id: string; label: string; value: string; onFilter: (q: string) => void }) {
  return (
    <form
      class="toolbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onFilter((new FormData(e.currentTarget).get('q') as string | null) ?? '');
      }}
    >
      <Field id={id} label={label}>
        <input name="q" type="search" defaultValue={value} />
      </Field>
      <button type="submit" class="secondary">
        Filter
      </button>
    </form>
  );
}
