/** A key, value or header value: text as is, JSON pretty-printed, binary as a hex dump. */
import type { DataView } from '../../shared/api-types.js';
import { formatBytes } from '../format.js';

const KIND_LABEL = { text: 'text', json: 'JSON', binary: 'binary (hex)', null: 'null' } as const;

export function DataBlock({ view, compact = false }: { view: DataView; compact?: boolean }) {
  if (view.kind === 'null') return <span class="null">null</span>;
  if (compact && view.kind === 'text' && !view.display.includes('\n') && view.display.length <= 80) return <span>{view.display}</span>;
  return (
    <div>
      <span class="kind">
        {KIND_LABEL[view.kind]} · {formatBytes(view.size)}
        {view.truncated ? ' · preview' : ''}
      </span>
      <pre class="data">{view.display}</pre>
    </div>
  );
}
