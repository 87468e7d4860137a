import { getLlama, type Llama } from "node-llama-cpp";

const globalForLlama = globalThis as unknown as { depotLlama?: Promise<Llama> };

/**
 * The one `Llama` of this process (node-llama-cpp's advice: one instance serves the whole app).
 * GPU is auto-detected (CUDA, Vulkan, Metal) with CPU as the fallback; nothing is downloaded at run time.
 */
export function depotLlama(): Promise<Llama> {
  globalForLlama.depotLlama ??= getLlama({ gpu: "auto", build: "never", skipDownload: true, progressLogs: false });
  return globalForLlama.depotLlama;
}

export type GpuInfo = { backend: string; devices: string[]; vramTotal: number; vramUsed: number; notice?: string };

/** What the worker heartbeat reports about its accelerator. */
export async function gpuInfo(): Promise<GpuInfo> {
  const llama = await depotLlama();
  const backend = llama.gpu === false ? "cpu" : llama.gpu;
  const [devices, vram] = await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
  return {
    backend,
    devices,
    vramTotal: vram.total,
    vramUsed: vram.used,
    ...(backend === "cpu" ? { notice: "no usable GPU found: running on CPU" } : {}),
  };
}
