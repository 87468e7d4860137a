"use client";
import Link from "next/link";
import { formatBytes, formatDuration } from "@/components/format";
import { LineChart } from "@/components/line-chart";
import { usePoll } from "@/components/use-poll";
import type { OverviewDto } from "@/lib/overview/get-overview";
import { gpuRows } from "@/lib/workers/gpu-rows";

/** What a new instance needs first, in order; shown while the inventory is empty. */
function GetStarted({ hasToken, role, workers }: { hasToken: boolean; role: string; workers: number }) {
  const admin = role === "admin";
  return (
    <section className="empty-state" data-testid="get-started" aria-labelledby="get-started-title">
      <strong id="get-started-title">Get started: no models yet</strong>
      <ol>
        {workers === 0 && <li>Start a worker on a GPU machine: <code>npm run worker</code> (it registers here within seconds).</li>}
        {!hasToken && (
          <li>
            {admin ? <Link href="/settings?tab=credentials">Add a Hugging Face token</Link> : "Ask an administrator to add a Hugging Face token"} for gated models such as Meta&apos;s Llama (public repositories need none).
          </li>
        )}
        {role !== "viewer" ? (
          <li>
            <Link href="/downloads">Pull a model</Link> from the Hugging Face Hub or a Meta download link, or <Link href="/models">upload a GGUF</Link>.
          </li>
        ) : (
          <li>Ask a member to pull a model; it appears under <Link href="/models">Models</Link>.</li>
        )}
        <li>Chat with it in the <Link href="/playground">Playground</Link>, or start a batch on <Link href="/runs">Runs</Link>.</li>
      </ol>
    </section>
  );
}

export function OverviewClient({ initial, start }: { initial: OverviewDto; start: { hasToken: boolean; role: string } | null }) {
  const { data } = usePoll<OverviewDto>("/api/overview", initial, 2000);
  return (
    <>
      {start && <GetStarted {...start} workers={data.workers.length} />}
      {data.diskAlerts.map((a) => (
        <div className="notice" role="status" key={a} data-testid="disk-alert">
          ⚠ Low disk space: {a}
        </div>
      ))}
      <h2>Queues</h2>
      <table>
        <thead>
          <tr>
            <th>queue</th><th>waiting</th><th>active</th><th>completed</th><th>failed</th><th>delayed</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(data.queues).map(([name, c]) => (
            <tr key={name} data-queue={name}>
              <td>{name}</td><td>{c.waiting}</td><td>{c.active}</td><td>{c.completed}</td><td>{c.failed}</td><td>{c.delayed}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Activity (last hour)</h2>
      <div className="cards" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(min(420px, 100%), 1fr))" }}>
        <LineChart
          label="jobs waiting and active"
          series={[
            { name: "waiting", color: "#f5b74e", points: data.history.map((h) => ({ t: h.at, v: Object.values(h.queues).reduce((a, q) => a + (q.waiting ?? 0), 0) })) },
            { name: "active", color: "#6aa3ff", points: data.history.map((h) => ({ t: h.at, v: Object.values(h.queues).reduce((a, q) => a + (q.active ?? 0), 0) })) },
          ]}
        />
        <LineChart
          label="generated tokens/s (all models)"
          format={(v) => v.toFixed(1)}
          series={[{ name: "tokens/s", color: "#3ecf8e", points: data.history.map((h) => ({ t: h.at, v: Object.values(h.tokensPerSecond).reduce((a, b) => a + b, 0) })) }]}
        />
        <LineChart
          label="download speed"
          format={(v) => `${formatBytes(v)}/s`}
          series={[{ name: "bytes/s", color: "#6aa3ff", points: data.history.map((h) => ({ t: h.at, v: h.downloadBytesPerSecond })) }]}
        />
      </div>

      <h2>Workers</h2>
      {data.workers.length === 0 && <p className="muted">No worker has registered yet. Start one with <code>npm run worker</code>.</p>}
      <div className="cards">
        {data.workers.map((w) => (
          <div className="card" key={w.name} data-testid="worker-card" data-online={w.online}>
            <div className="row">
              <strong>{w.name}</strong>
              <span className={`status ${w.online ? "online" : "offline"}`}>{w.online ? "online" : "offline"}</span>
            </div>
            <div className="muted">
              {w.gpu?.backend === "cpu" || !w.gpu ? "CPU" : w.gpu.backend}
              {w.gpu?.batchSampling !== undefined && (w.gpu.batchSampling ? " · native batch sampling" : " · per-sequence sampling (prebuilt llama.cpp)")}
            </div>
            {gpuRows(w.gpu).map((g) => (
              <div className="muted" key={g.key} data-testid="worker-gpu">
                {g.label} · {formatBytes(g.usedBytes)} / {formatBytes(g.totalBytes)} VRAM
                {g.approximate ? " (an even share of the total: the prebuilt llama.cpp reports only the sum)" : ""}
                {g.models.length > 0 && ` · ${g.models.join(", ")}`}
              </div>
            ))}
            {(w.gpu?.models ?? []).map((m) => (
              <div className="muted" key={m.file} data-testid="worker-model-layers">
                {m.file}: {m.gpuLayers}/{m.totalLayers} layers on the GPU{m.sequences ? ` · ${m.sequences} parallel sequences` : ""}
              </div>
            ))}
            {w.gpu?.notice && <div className="notice" role="status">⚠ {w.gpu.notice}</div>}
            <div className="muted">heartbeat {formatDuration(w.lastSeenAgoMs / 1000)} ago · pid {w.pid} · node {w.versions.node}</div>
            {w.storeId && <div className="muted mono">model store {w.storeId}</div>}
          </div>
        ))}
      </div>

      <h2>Disk</h2>
      <div className="cards">
        <div className="card">
          <div className="title">DATA_DIR in use</div>
          <div className="big">{formatBytes(data.disk.usedBytes)}</div>
          <div className="muted mono">{data.disk.dataDir}</div>
        </div>
        <div className="card">
          <div className="title">free on that disk</div>
          <div className="big">{formatBytes(data.disk.freeBytes)}</div>
          <div className="muted">of {formatBytes(data.disk.totalBytes)}</div>
        </div>
      </div>
    </>
  );
}
