/** A labelled drop-down of fixed choices. */
import { Field } from './field.js';

export interface Choice<T extends string> {
  value: T;
  label: string;
}

export function SelectField<T extends string>({ id, label, value, choices, onChange }: { id: string; label: string; value: T; choices: ReadonlyArray<Choice<T>>; onChange: (value: T) => void }) {
  return (
    <Field id={id} label={label}>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
