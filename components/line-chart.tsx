/** A small dependency-free SVG line chart: one or more series over a shared time axis. */
export type Series = { name: string; color: string; points: { t: number; v: number }[] };

export function LineChart({ series, height = 140, format = (v: number) => v.toFixed(0), label }: { series: Series[]; height?: number; format?: (v: number) => string; label: string }) {
  const width = 560;
  const pad = { l: 52, r: 8, t: 8, b: 18 };
  const all = series.flatMap((s) => s.points);
  if (all.length < 2) return <p className="muted">Collecting samples for “{label}”…</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const vMax = Math.max(1e-9, ...all.map((p) => p.v));
  const x = (t: number) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - v / vMax) * (height - pad.t - pad.b);
  return (
    <figure className="card" style={{ margin: 0 }} aria-label={label}>
      <div className="title">{label}</div>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={label}>
        <line x1={pad.l} x2={width - pad.r} y1={y(0)} y2={y(0)} stroke="#272b35" />
        <text x={pad.l - 6} y={y(vMax) + 4} fill="#8a91a3" fontSize="10" textAnchor="end">{format(vMax)}</text>
        <text x={pad.l - 6} y={y(0)} fill="#8a91a3" fontSize="10" textAnchor="end">0</text>
        <text x={pad.l} y={height - 4} fill="#8a91a3" fontSize="10">{new Date(t0).toLocaleTimeString()}</text>
        <text x={width - pad.r} y={height - 4} fill="#8a91a3" fontSize="10" textAnchor="end">{new Date(t1).toLocaleTimeString()}</text>
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
