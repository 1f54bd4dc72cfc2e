/**
 * A question a form asks before it changes something for good (delete records,
 * execute a reset). Focus moves to its heading when it appears, so keyboard and
 * screen-reader users learn of it (it would stay on the submit button, with
 * nothing said); Tab goes on to the confirm button. Cancel gives focus back to
 * the form's submit button.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmationProps {
  id: string;
  title: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** what is being asked about: a new question (submitted again) takes focus again */
  asking: unknown;
  children?: ComponentChildren;
}

export function Confirmation({ id, title, confirmLabel, busy, onConfirm, onCancel, asking, children }: ConfirmationProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [asking]);
  const cancel = (e: MouseEvent) => {
    const form = (e.currentTarget as HTMLButtonElement).form;
    onCancel();
    form?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus();
  };
  return (
    <section aria-labelledby={id}>
      <h3 id={id} tabIndex={-1} ref={heading}>
        {title}
      </h3>
      {children}
      <p class="toolbar">
        <button type="button" class="danger" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" class="secondary" onClick={cancel}>
          Cancel
        </button>
      </p>
    </section>
  );
}
