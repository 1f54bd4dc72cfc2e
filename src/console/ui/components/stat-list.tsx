/** Headline figures of a page, each a label over its value, in a row of boxes. */
import type { ComponentChildren } from 'preact';

export interface Stat {
  label: string;
  value: ComponentChildren;
  /** a class for the value (e.g. "state") */
  class?: string;
  testId?: string;
}

export function StatList({ stats }: { stats: Stat[] }) {
  return (
    <dl class="stats">
      {stats.map((s) => (
        <div key={s.label}>
          <dt>{s.label}</dt>
          <dd class={s.class} data-testid={s.testId}>
            {s.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
