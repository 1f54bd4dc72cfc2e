/** Messages to the user: errors are alerts, results are polite status updates. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';

export function Notice({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function ErrorNotice({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = error instanceof ApiError ? `${error.code}: ` : '';
  return (
    <Notice kind="error">
      {code}
      {error.message}
    </Notice>
  );
}
