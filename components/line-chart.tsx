"use client";
import { formatDateTime } from "./format";
import { useHydrated } from "./local-time";

/** A small dependency-free SVG line chart: one or more series over a shared time axis. */
export type Series = { name: string; color: string; points: { t: number; v: number }[] };

export function LineChart({ series, height = 140, format = (v: number) => v.toFixed(0), label }: { series: Series[]; height?: number; format?: (v: number) => string; label: string }) {
  const local = useHydrated();
  const width = 560;
  const pad = { l: 8, r: 8, t: 8, b: 18 };
  const all = series.flatMap((s) => s.points);
  if (all.length < 2) return <p className="muted">Collecting samples for “{label}”…</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  // An all-zero series still gets a scale of one unit (say "1 B/s"), not a fraction of one.
  const vMax = Math.max(...all.map((p) => p.v)) || 1;
  const x = (t: number) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - v / vMax) * (height - pad.t - pad.b);
  return (
    <figure className="card" style={{ margin: 0 }} aria-label={label}>
      <div className="title">{label}</div>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={label}>
        <line className="chart-base" x1={pad.l} x2={width - pad.r} y1={y(0)} y2={y(0)} />
        {/* Axis labels sit inside the plot, so a long one ("123.4 MiB/s") is never cut off at the edge. */}
        <text className="chart-axis" x={pad.l} y={pad.t + 10} data-testid="chart-max">{format(vMax)}</text>
        <text className="chart-axis" x={pad.l} y={height - 4}>{formatDateTime(t0, { local, timeOnly: true })}</text>
        <text className="chart-axis" x={width - pad.r} y={height - 4} textAnchor="end">{formatDateTime(t1, { local, timeOnly: true })}</text>
        {series.map((s) => (
          <polyline key={s.name} fill="none" stroke={s.color} strokeWidth="1.5" points={s.points.map((p) => `${x(p.t)},${y(p.v)}`).join(" ")} />
        ))}
      </svg>
      <div className="row muted">
        {series.map((s) => (
          <span key={s.name}><span style={{ color: s.color }}>■</span> {s.name}</span>
        ))}
      </div>
    </figure>
  );
}
