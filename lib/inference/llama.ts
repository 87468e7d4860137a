import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { queryGpuDevices, type GpuDevice } from "./gpu-devices";
import { hasBatchSampling } from "./native-llama";

const globalForLlama = globalThis as unknown as {
  depotLlama?: Promise<Llama>;
  depotLlamaNotice?: string;
  depotModels?: Set<LlamaModel>;
  depotSequences?: WeakMap<LlamaModel, number>;
  depotShares?: WeakMap<LlamaModel, number[]>;
};

/** Notes the sequences of a model's context (ModelResidency), for the heartbeat. */
export function recordSequences(model: LlamaModel, sequences: number): void {
  (globalForLlama.depotSequences ??= new WeakMap()).set(model, sequences);
}

/** Notes the share of a model on each GPU (ModelResidency's placement), for the heartbeat. */
export function recordPlacement(model: LlamaModel, shares: number[]): void {
  (globalForLlama.depotShares ??= new WeakMap()).set(model, shares);
}

/**
 * Compute capabilities that node-llama-cpp 3.21.1's prebuilt linux-x64-cuda binary has machine code for (sm_86 and
 * sm_89, which also run on 8.7; sm_120a, sm_121a). Any other NVIDIA card, the H100/H200 (9.0) among them, needs a
 * CUDA build from the bundled llama.cpp sources.
 */
const PREBUILT_CUDA_CAPABILITIES = new Set(["8.6", "8.7", "8.9", "12.0", "12.1"]);

/** The first NVIDIA GPU's compute capability ("9.0"), or null where there is none (or no driver). */
async function nvidiaComputeCapability(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)("nvidia-smi", ["--query-gpu=compute_cap", "--format=csv,noheader"], { timeout: 10_000 });
    return stdout.trim().split("\n")[0]?.trim() || null;
  } catch {
    return null;
  }
}

async function loadLlama(): Promise<Llama> {
  const cpu = () => getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false });
  const cc = await nvidiaComputeCapability();
  if (cc && !PREBUILT_CUDA_CAPABILITIES.has(cc)) {
    // A local CUDA build if one exists, else compile one now (minutes; cmake, a C++ compiler and nvcc needed). With a GPU
    // present the build targets it natively; NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES pins it otherwise.
    try {
      return await getLlama({ gpu: "cuda", build: "autoAttempt", usePrebuiltBinaries: false, progressLogs: true });
    } catch (err) {
      globalForLlama.depotLlamaNotice = `NVIDIA GPU (compute capability ${cc}) found, but no CUDA build of llama.cpp could be loaded or built (${(err as Error).message}): running on CPU`;
      return cpu();
    }
  }
  const llama = await getLlama({ gpu: "auto", build: "never", skipDownload: true, progressLogs: false });
  if (cc && llama.gpu === false) {
    globalForLlama.depotLlamaNotice = `NVIDIA GPU (compute capability ${cc}) found, but CUDA could not be loaded (are libcudart.so.13 and libcublas.so.13 installed?): running on CPU`;
  }
  return llama;
}

/**
 * The one `Llama` of this process (node-llama-cpp's advice: one instance serves the whole app). CUDA, Vulkan or Metal
 * when usable, with CPU as the fallback; for NVIDIA cards that no prebuilt binary covers, a source build (see above).
 */
export function depotLlama(): Promise<Llama> {
  globalForLlama.depotLlama ??= loadLlama().then((llama) => {
    // node-llama-cpp keeps no list of loaded models: track them so the heartbeat can report each one's offloaded layers.
    const models = (globalForLlama.depotModels ??= new Set());
    const loadModel = llama.loadModel.bind(llama);
    llama.loadModel = async (options) => {
      const model = await loadModel(options);
      models.add(model);
      model.onDispose.createListener(() => models.delete(model));
      return model;
    };
    return llama;
  });
  return globalForLlama.depotLlama;
}

/** A resident model as the heartbeat reports it: how many of its layers node-llama-cpp put on the GPUs, its parallel sequences. */
export type ModelInfo = { file: string; gpuLayers: number; totalLayers: number; sequences?: number };

/** One GPU of the worker: its memory, and the resident models with their share of it (a fraction of their layers). */
export type GpuDeviceInfo = {
  index: number;
  hostIndex?: number;
  name: string;
  totalBytes: number;
  usedBytes: number;
  approximate?: true;
  models: Array<{ file: string; share: number }>;
};

export type GpuInfo = {
  backend: string;
  devices: string[];
  vramTotal: number;
  vramUsed: number;
  /** Every GPU on its own (absent on the CPU). */
  gpus?: GpuDeviceInfo[];
  /** Decode steps run on the native decode loop, which samples every sequence itself (a source build with native/node-llama-cpp). */
  batchSampling: boolean;
  notice?: string;
  /** Resident models, how many of their layers node-llama-cpp put on the GPU, and their parallel sequences. */
  models?: ModelInfo[];
};

const fileOf = (m: LlamaModel) => (m.filename ? path.join(path.basename(path.dirname(m.filename)), path.basename(m.filename)) : "?");

/** The heartbeat's GPU rows: each device, and each resident model's share on it (one loaded outside ModelResidency: on a lone GPU only). */
export function deviceRows(devices: GpuDevice[], models: Array<{ file: string; shares?: number[] }>): GpuDeviceInfo[] {
  return devices.map((d) => ({
    index: d.index,
    ...(d.hostIndex !== undefined ? { hostIndex: d.hostIndex } : {}),
    name: d.name,
    totalBytes: d.totalBytes,
    usedBytes: Math.max(0, d.totalBytes - d.freeBytes),
    ...(d.approximate ? { approximate: true as const } : {}),
    models: models.flatMap((m) => {
      const share = m.shares ? (m.shares[d.index] ?? 0) : devices.length === 1 ? 1 : 0;
      return share > 0 ? [{ file: m.file, share }] : [];
    }),
  }));
}

/** What the worker heartbeat reports about its accelerator. */
export async function gpuInfo(): Promise<GpuInfo> {
  const llama = await depotLlama();
  const backend = llama.gpu === false ? "cpu" : llama.gpu;
  const [devices, vram, gpus] = await Promise.all([llama.getGpuDeviceNames(), llama.getVramState(), queryGpuDevices(llama)]);
  const notice = globalForLlama.depotLlamaNotice ?? (backend === "cpu" ? "no usable GPU found: running on CPU" : undefined);
  const models = [...(globalForLlama.depotModels ?? [])];
  return {
    backend,
    devices,
    vramTotal: vram.total,
    vramUsed: vram.used,
    ...(gpus.length > 0 ? { gpus: deviceRows(gpus, models.map((m) => ({ file: fileOf(m), shares: globalForLlama.depotShares?.get(m) }))) } : {}),
    batchSampling: hasBatchSampling(llama),
    ...(notice ? { notice } : {}),
    models: models.map((m) => ({
      file: fileOf(m),
      gpuLayers: m.gpuLayers,
      totalLayers: m.fileInsights.totalLayers,
      ...(globalForLlama.depotSequences?.has(m) ? { sequences: globalForLlama.depotSequences.get(m) } : {}),
    })),
  };
}
