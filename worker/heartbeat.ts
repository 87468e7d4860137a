import { statfs } from "node:fs/promises";
import os from "node:os";
import { config } from "../lib/config/env";
import { db } from "../lib/db/prisma";
import { gpuInfo, type GpuInfo } from "../lib/inference/llama";
import { logger } from "../lib/log/logger";

export const HEARTBEAT_MS = 5000;

const log = logger("heartbeat");

/** Registers this worker and refreshes `lastSeenAt` every few seconds; GPU details arrive once detected. */
export function startHeartbeat(params: { name: string; storeId: string; queues: () => string[] }): { stop: () => Promise<void> } {
  const startedAt = new Date();
  const versions = JSON.stringify({
    node: process.versions.node,
    nodeLlamaCpp: process.env.npm_package_dependencies_node_llama_cpp ?? "3.21.1",
    depot: process.env.npm_package_version ?? "dev",
  });
  let gpu: GpuInfo | { backend: "detecting" } = { backend: "detecting" };
  let detected = false;
  const beat = async () => {
    // VRAM in use and the resident models' offloaded layers change as models load and unload.
    if (detected) gpu = await gpuInfo().catch(() => gpu);
    const now = new Date();
    const fs = await statfs(config().dataDir).catch(() => null);
    const fields = {
      diskJson: fs ? JSON.stringify({ freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize }) : null,
      hostname: os.hostname(),
      pid: process.pid,
      versionsJson: versions,
      gpuJson: JSON.stringify(gpu),
      storeId: params.storeId,
      queuesJson: JSON.stringify(params.queues()),
      startedAt,
      lastSeenAt: now,
    };
    await db().workerHeartbeat.upsert({ where: { name: params.name }, create: { name: params.name, ...fields }, update: fields });
  };
  const safeBeat = () => beat().catch((err) => log.warn("heartbeat failed", { err }));
  void gpuInfo()
    .then((g) => {
      gpu = g;
      detected = true;
      if (g.notice) log.warn(g.notice);
      return safeBeat();
    })
    .catch((err) => {
      gpu = { backend: "cpu", devices: [], vramTotal: 0, vramUsed: 0, batchSampling: false, notice: `GPU detection failed: ${String(err)}` };
    });
  void safeBeat();
  const timer = setInterval(safeBeat, HEARTBEAT_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      // Mark offline at once on a clean stop, so the Overview does not wait for the timeout.
      await db().workerHeartbeat.update({ where: { name: params.name }, data: { lastSeenAt: new Date(0) } }).catch(() => {});
    },
  };
}
