import type { WorkerDto } from "./list-workers";

/** One line of a worker's card on the Overview: a GPU, its VRAM, and the models (or their share of layers) on it. */
export type GpuRow = { key: string; label: string; usedBytes: number; totalBytes: number; approximate: boolean; models: string[] };

/**
 * The GPU rows of a worker's heartbeat: one per device, numbered as the host numbers them; a worker of an earlier
 * version (only the sums) gets one row for all its GPUs. None on the CPU.
 */
export function gpuRows(gpu: WorkerDto["gpu"]): GpuRow[] {
  if (!gpu || gpu.backend === "cpu" || gpu.backend === "detecting") return [];
  if (gpu.gpus) {
    return gpu.gpus.map((d) => ({
      key: String(d.index),
      label: `GPU ${d.hostIndex ?? d.index} · ${d.name}`,
      usedBytes: d.usedBytes,
      totalBytes: d.totalBytes,
      approximate: d.approximate === true,
      models: d.models.map((m) => (m.share < 1 ? `${m.file} (${Math.round(m.share * 100)}% of layers)` : m.file)),
    }));
  }
  if (!gpu.vramTotal) return [];
  return [{ key: "all", label: (gpu.devices ?? []).join(", ") || gpu.backend, usedBytes: gpu.vramUsed ?? 0, totalBytes: gpu.vramTotal, approximate: false, models: (gpu.models ?? []).map((m) => m.file) }];
}
