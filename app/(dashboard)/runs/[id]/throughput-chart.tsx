import type { ThroughputPoint } from "@/lib/runs/run-dto";

const W = 560;
const H = 140;
const PAD = 28;

/** Output tokens/s over the run's time, as an inline SVG line. */
export function ThroughputChart({ points }: { points: ThroughputPoint[] }) {
  if (points.length === 0) return <p className="muted">Throughput appears once items finish.</p>;
  const maxT = Math.max(...points.map((p) => p.t));
  const maxY = Math.max(1, ...points.map((p) => p.tokensPerSecond));
  const x = (t: number) => PAD + (t / maxT) * (W - PAD * 2);
  const y = (v: number) => H - PAD - (v / maxY) * (H - PAD * 2);
  const line = [{ t: 0, tokensPerSecond: points[0]!.tokensPerSecond }, ...points].map((p) => `${x(p.t).toFixed(1)},${y(p.tokensPerSecond).toFixed(1)}`).join(" ");
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="tokens per second over time" data-testid="throughput-chart" style={{ maxWidth: W, background: "var(--panel)", border: "1px solid var(--line)", borderRadius: 8 }}>
      <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="var(--line)" />
      <line x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} stroke="var(--line)" />
      <polyline points={line} fill="none" stroke="var(--accent)" strokeWidth={2} />
      <text x={PAD} y={PAD - 8} fill="var(--muted)" fontSize={11}>{maxY.toFixed(0)} tokens/s</text>
      <text x={W - PAD} y={H - 8} fill="var(--muted)" fontSize={11} textAnchor="end">{maxT.toFixed(0)} s</text>
    </svg>
  );
}
