/**
 * A small SVG line chart over time (no chart library: two series of ~120
 * points need none). Series differ by colour and by dash, so they can be told
 * apart without colour; the figure's accessible name carries the latest values.
 */
import { formatClock } from '../format.js';

export interface ChartSeries {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<{ t: number; v: number }>;
}

const W = 960;
const H = 200;
const M = { left: 56, right: 12, top: 10, bottom: 24 };

/** A round upper bound for the y axis (1, 2 or 5 times a power of ten). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((m) => m * power).find((v) => v >= max) ?? 10 * power) as number;
}

export function LineChart({ caption, series, format, emptyText }: { caption: string; series: ChartSeries[]; format: (v: number) => string; emptyText: string }) {
  const all = series.flatMap((s) => s.points);
  if (all.length < 2) {
    return (
      <figure class="chart">
        <figcaption>{caption}</figcaption>
        <p class="muted">{emptyText}</p>
      </figure>
    );
  }
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const top = niceMax(Math.max(...all.map((p) => p.v)));
  const x = (t: number) => M.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - M.left - M.right);
  const y = (v: number) => M.top + (1 - v / top) * (H - M.top - M.bottom);
  const latest = series.map((s) => `${s.label} ${format(s.points[s.points.length - 1]?.v ?? 0)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{caption}</figcaption>
      <svg class="plot" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${caption}, from ${formatClock(t0)} to ${formatClock(t1)}; latest: ${latest}`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={M.left} x2={W - M.right} y1={y(top * f)} y2={y(top * f)} stroke="#c9d1db" stroke-width="1" />
            <text class="chart-axis" x={M.left - 6} y={y(top * f) + 4} text-anchor="end">
              {format(top * f)}
            </text>
          </g>
        ))}
        <text class="chart-axis" x={M.left} y={H - 6}>
          {formatClock(t0)}
        </text>
        <text class="chart-axis" x={W - M.right} y={H - 6} text-anchor="end">
          {formatClock(t1)}
        </text>
        {series.map((s) => (
          <polyline
            key={s.label}
            fill="none"
            stroke={s.color}
            stroke-width="2.5"
            stroke-dasharray={s.dashed ? '7 4' : undefined}
            points={s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <ul class="legend">
        {series.map((s) => (
          <li key={s.label}>
            <svg viewBox="0 0 26 10" aria-hidden="true">
              <line x1="0" x2="26" y1="5" y2="5" stroke={s.color} stroke-width="3" stroke-dasharray={s.dashed ? '7 4' : undefined} />
            </svg>
            {s.label}: {format(s.points[s.points.length - 1]?.v ?? 0)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
