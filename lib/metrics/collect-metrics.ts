import { db } from "../db/prisma";
import { listWorkers } from "../workers/list-workers";
import { queueCounts } from "../queue/queues";
import type { Family } from "./prometheus";

const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];
/** Window over which throughput gauges (tokens/s, download speed) are computed. */
export const RATE_WINDOW_MS = 5 * 60_000;

export type MetricsSnapshot = {
  at: number;
  queues: Record<string, Record<string, number>>;
  tokensPerSecond: Record<string, number>;
  downloadBytesPerSecond: number;
  vramUsedBytes: number;
  workersOnline: number;
};

async function tokenRates(since: Date): Promise<{ model: string; tokens: number; ms: number }[]> {
  const items = await db().runItem.findMany({
    where: { status: "completed", finishedAt: { gte: since } },
    select: { tokensOut: true, durationMs: true, run: { select: { modelName: true } } },
  });
  const byModel = new Map<string, { tokens: number; ms: number }>();
  for (const i of items) {
    const m = byModel.get(i.run.modelName) ?? { tokens: 0, ms: 0 };
    m.tokens += i.tokensOut ?? 0;
    m.ms += i.durationMs ?? 0;
    byModel.set(i.run.modelName, m);
  }
  return [...byModel].map(([model, v]) => ({ model, ...v }));
}

/** Every number /metrics exports and the Overview charts, read from Redis (BullMQ) and the database. */
export async function collectMetrics(): Promise<{ families: Family[]; snapshot: MetricsSnapshot }> {
  const now = Date.now();
  const since = new Date(now - RATE_WINDOW_MS);
  const [queues, workers, finishedJobs, downloads, rates, tokensTotal, bytesStored] = await Promise.all([
    queueCounts(),
    listWorkers(),
    db().job.findMany({
      where: { status: "completed", startedAt: { not: null }, finishedAt: { gte: new Date(now - 24 * 3600_000) } },
      select: { queue: true, startedAt: true, finishedAt: true },
    }),
    db().job.findMany({ where: { queue: "download", status: "active" }, select: { id: true, progressJson: true } }),
    tokenRates(since),
    db().runItem.aggregate({ _sum: { tokensOut: true, tokensIn: true }, where: { status: "completed" } }),
    db().modelFile.aggregate({ _sum: { bytes: true } }),
  ]);

  const durations = new Map<string, number[]>();
  for (const j of finishedJobs) {
    const list = durations.get(j.queue) ?? [];
    list.push((j.finishedAt!.getTime() - j.startedAt!.getTime()) / 1000);
    durations.set(j.queue, list);
  }
  const speeds = downloads.map((d) => ({ job: d.id, ...(JSON.parse(d.progressJson ?? "{}") as { speedBps?: number; bytesDone?: number }) }));
  const tokensPerSecond = Object.fromEntries(rates.map((r) => [r.model, r.ms > 0 ? (r.tokens * 1000) / r.ms : 0]));

  const families: Family[] = [
    {
      name: "depot_queue_jobs",
      help: "Jobs in each BullMQ queue by state.",
      type: "gauge",
      samples: Object.entries(queues).flatMap(([queue, c]) => Object.entries(c).map(([state, value]) => ({ labels: { queue, state }, value }))),
    },
    {
      name: "depot_job_duration_seconds",
      help: "Run time of jobs completed in the last 24 hours.",
      type: "histogram",
      samples: [...durations].flatMap(([queue, list]) => [
        ...[...DURATION_BUCKETS, Infinity].map((le) => ({
          suffix: "_bucket",
          labels: { queue, le: le === Infinity ? "+Inf" : String(le) },
          value: list.filter((d) => d <= le).length,
        })),
        { suffix: "_sum", labels: { queue }, value: list.reduce((a, b) => a + b, 0) },
        { suffix: "_count", labels: { queue }, value: list.length },
      ]),
    },
    {
      name: "depot_download_speed_bytes_per_second",
      help: "Current speed of each active download job.",
      type: "gauge",
      samples: speeds.map((s) => ({ labels: { job: s.job }, value: s.speedBps ?? 0 })),
    },
    {
      name: "depot_download_bytes_in_progress",
      help: "Bytes fetched so far by each active download job.",
      type: "gauge",
      samples: speeds.map((s) => ({ labels: { job: s.job }, value: s.bytesDone ?? 0 })),
    },
    { name: "depot_model_bytes", help: "Bytes of all model files in the inventory.", type: "gauge", samples: [{ value: Number(bytesStored._sum.bytes ?? 0) }] },
    {
      name: "depot_tokens_per_second",
      help: `Generated tokens per second of decode time by model, over the last ${RATE_WINDOW_MS / 60_000} minutes of batch items.`,
      type: "gauge",
      samples: Object.entries(tokensPerSecond).map(([model, value]) => ({ labels: { model }, value })),
    },
    {
      name: "depot_tokens_total",
      help: "Tokens processed by completed batch items.",
      type: "counter",
      samples: [
        { labels: { kind: "prompt" }, value: tokensTotal._sum.tokensIn ?? 0 },
        { labels: { kind: "generated" }, value: tokensTotal._sum.tokensOut ?? 0 },
      ],
    },
    {
      name: "depot_worker_up",
      help: "1 when the worker's heartbeat is recent.",
      type: "gauge",
      samples: workers.map((w) => ({ labels: { worker: w.name, backend: w.gpu?.backend ?? "unknown" }, value: w.online ? 1 : 0 })),
    },
    {
      name: "depot_worker_heartbeat_age_seconds",
      help: "Seconds since each worker's last heartbeat.",
      type: "gauge",
      samples: workers.map((w) => ({ labels: { worker: w.name }, value: w.lastSeenAgoMs / 1000 })),
    },
    {
      name: "depot_worker_vram_used_bytes",
      help: "GPU memory in use on each worker, as node-llama-cpp reports it.",
      type: "gauge",
      samples: workers.map((w) => ({ labels: { worker: w.name }, value: w.gpu?.vramUsed ?? 0 })),
    },
    {
      name: "depot_disk_free_bytes",
      help: "Free bytes on the disk of each worker's DATA_DIR.",
      type: "gauge",
      samples: workers.filter((w) => w.disk).map((w) => ({ labels: { worker: w.name }, value: w.disk!.freeBytes })),
    },
    {
      name: "depot_worker_vram_total_bytes",
      help: "GPU memory of each worker.",
      type: "gauge",
      samples: workers.map((w) => ({ labels: { worker: w.name }, value: w.gpu?.vramTotal ?? 0 })),
    },
  ];
  const snapshot: MetricsSnapshot = {
    at: now,
    queues,
    tokensPerSecond,
    downloadBytesPerSecond: speeds.reduce((a, s) => a + (s.speedBps ?? 0), 0),
    vramUsedBytes: workers.reduce((a, w) => a + (w.online ? (w.gpu?.vramUsed ?? 0) : 0), 0),
    workersOnline: workers.filter((w) => w.online).length,
  };
  return { families, snapshot };
}
