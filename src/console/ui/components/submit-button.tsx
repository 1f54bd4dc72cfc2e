/** A form's submit button, disabled while the form's call runs. */
import type { ComponentChildren } from 'preact';

export function SubmitButton({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" disabled={busy}>
      {children}
    </button>
  );
}
