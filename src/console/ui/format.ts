/** Numbers, sizes and times as people read them. */
const integer = new Intl.NumberFormat('en-US');
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const formatCount = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : integer.format(n));

export const formatRate = (perSecond: number): string => `${decimal.format(perSecond)}/s`;

/** Up to one decimal: chart axes of small counts (0, 0.5, 1). */
export const formatNumber = (n: number): string => decimal.format(n);

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${integer.format(n)} B` : `${decimal.format(value)} ${units[unit]}`;
}

/** ISO-like local time with milliseconds: "2024-05-01 12:00:00.123". */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms); // past what a Date holds; Kafka timestamps go to 2^63 - 1
  const pad = (v: number, w = 2) => String(v).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export const formatClock = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });

/** "1–50 of 1,000" */
export function rangeLabel(offset: number, shown: number, total: number): string {
  if (total === 0) return 'none';
  return `${formatCount(offset + 1)}–${formatCount(offset + shown)} of ${formatCount(total)}`;
}
