/**
 * One labelled form control, and its hint if it has one. The field gives the
 * control its id and, with a hint, aria-describedby, so label and hint always
 * point at the control they belong to.
 */
import { cloneElement, type ComponentChildren, type VNode } from 'preact';

export function Field({ id, label, hint, wide = false, children }: { id: string; label: ComponentChildren; hint?: ComponentChildren; wide?: boolean; children: VNode }) {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  return (
    <div class={wide ? 'field wide' : 'field'}>
      <label for={id}>{label}</label>
      {cloneElement(children, { id, 'aria-describedby': hintId })}
      {hint !== undefined && (
        <span id={hintId} class="hint">
          {hint}
        </span>
      )}
    </div>
  );
}
