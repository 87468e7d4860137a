import type { Llama } from "node-llama-cpp";

/** One GPU this worker process sees, indexed as llama.cpp's main_gpu and tensor_split index them. */
export type GpuDevice = {
  index: number;
  name: string;
  totalBytes: number;
  freeBytes: number;
  /** The host's number for it (nvidia-smi's), where CUDA_VISIBLE_DEVICES renumbered the process's GPUs. */
  hostIndex?: number;
  /** Memory taken from node-llama-cpp's sum over all GPUs, divided evenly (a prebuilt binary, several GPUs). */
  approximate?: true;
};

/** The worker's GPUs now; replaceable in tests, where no GPU is. */
export type DeviceSource = () => Promise<GpuDevice[]>;

type DeviceBindings = { getGpuDevices?: () => Array<{ name: string; total: number; free: number }> };

const bindingsOf = (llama: Llama) => (llama as unknown as { _bindings: DeviceBindings })._bindings;

/** Whether this Llama's addon has native/node-llama-cpp's additions, split options among them (source builds only). */
export function hasNativeAdditions(llama: Llama): boolean {
  return typeof bindingsOf(llama).getGpuDevices === "function";
}

/** CUDA_VISIBLE_DEVICES "2,3" → [2, 3]; null when unset or not plain indexes (UUIDs). */
export function visibleHostIndexes(env: string | undefined): number[] | null {
  if (env === undefined || env.trim() === "") return null;
  const parts = env.split(",").map((p) => p.trim());
  return parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : null;
}

/**
 * Each GPU's memory: from native/node-llama-cpp/AddonGpuDevices.cpp in a source build; otherwise node-llama-cpp's
 * device names and its VRAM summed over them, exact for one GPU and split evenly (marked approximate) for several.
 */
export async function queryGpuDevices(llama: Llama, cudaVisibleDevices = process.env.CUDA_VISIBLE_DEVICES): Promise<GpuDevice[]> {
  if (llama.gpu === false) return [];
  const native = bindingsOf(llama).getGpuDevices;
  let devices: GpuDevice[];
  if (native) {
    devices = native().map((d, index) => ({ index, name: d.name, totalBytes: d.total, freeBytes: d.free }));
  } else {
    const [names, vram] = await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
    const n = Math.max(1, names.length);
    devices = Array.from({ length: n }, (_, index) => ({
      index,
      name: names[index] ?? String(llama.gpu),
      totalBytes: vram.total / n,
      freeBytes: vram.free / n,
      ...(n > 1 ? { approximate: true as const } : {}),
    }));
  }
  const host = visibleHostIndexes(cudaVisibleDevices);
  return host && host.length === devices.length ? devices.map((d) => ({ ...d, hostIndex: host[d.index] })) : devices;
}
