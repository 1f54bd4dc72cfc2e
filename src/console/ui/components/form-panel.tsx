/** A write form in a panel, named by its heading; submitting runs onSubmit instead of loading a page. */
import type { ComponentChildren } from 'preact';

export function FormPanel({ id, title, onSubmit, children }: { id: string; title: string; onSubmit: () => void; children: ComponentChildren }) {
  return (
    <form
      class="panel"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      aria-labelledby={`${id}-heading`}
    >
      <h2 id={`${id}-heading`}>{title}</h2>
      {children}
    </form>
  );
}
