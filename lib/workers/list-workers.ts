import { db } from "../db/prisma";
import type { GpuDeviceInfo } from "../inference/llama";

/** A worker whose heartbeat is older than this is offline (heartbeats come every 5 s). */
const OFFLINE_AFTER_MS = 15_000;

export type WorkerDto = {
  name: string;
  /** The model store (DATA_DIR) it serves. */
  storeId: string | null;
  hostname: string;
  pid: number;
  online: boolean;
  lastSeenAgoMs: number;
  versions: Record<string, string>;
  gpu: {
    backend: string;
    devices?: string[];
    vramTotal?: number;
    vramUsed?: number;
    batchSampling?: boolean;
    notice?: string;
    /** Each GPU with its memory and the models on it (workers of earlier versions report only the sums above). */
    gpus?: GpuDeviceInfo[];
    /** Resident models, how many of their layers run on the GPU, and their parallel sequences. */
    models?: Array<{ file: string; gpuLayers: number; totalLayers: number; sequences?: number }>;
  } | null;
  queues: string[];
  disk: { freeBytes: number; totalBytes: number } | null;
};

/** Every worker that ever sent a heartbeat, freshest first. */
export async function listWorkers(): Promise<WorkerDto[]> {
  const rows = await db().workerHeartbeat.findMany({ orderBy: { lastSeenAt: "desc" } });
  const now = Date.now();
  return rows.map((w) => ({
    name: w.name,
    hostname: w.hostname,
    pid: w.pid,
    online: now - w.lastSeenAt.getTime() < OFFLINE_AFTER_MS,
    storeId: w.storeId,
    lastSeenAgoMs: now - w.lastSeenAt.getTime(),
    versions: JSON.parse(w.versionsJson) as Record<string, string>,
    gpu: w.gpuJson ? (JSON.parse(w.gpuJson) as WorkerDto["gpu"]) : null,
    queues: JSON.parse(w.queuesJson) as string[],
    disk: w.diskJson ? (JSON.parse(w.diskJson) as WorkerDto["disk"]) : null,
  }));
}
