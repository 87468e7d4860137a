import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelPlacementError } from "./errors";
import type { GpuDevice } from "./gpu-devices";
import { ModelResidency, type ResidencyOptions } from "./residency";

const GiB = 2 ** 30;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "residency-gpus-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A sparse GGUF stand-in of `gib` GiB (ModelResidency reads only its size). */
async function model(name: string, gib: number): Promise<string> {
  const file = path.join(dir, `${name}.gguf`);
  await writeFile(file, "");
  await truncate(file, gib * GiB);
  return file;
}

const h200 = (index: number, freeGiB = 140): GpuDevice => ({ index, name: "NVIDIA H200", totalBytes: 140 * GiB, freeBytes: freeGiB * GiB });

/**
 * A stand-in Llama whose loadModel constructs its addon's AddonModel the way LlamaModel does (absolute path, its own
 * options), so that what reaches the native constructor can be read back; `patched`: the addon has native/node-llama-cpp.
 */
function fakeLlama(patched: boolean) {
  const constructed: Array<{ path: string; options: Record<string, unknown> }> = [];
  const bindings: Record<string, unknown> = {
    AddonSampler: class {},
    AddonModel: class {
      constructor(p: string, options: Record<string, unknown>) {
        constructed.push({ path: p, options });
      }
    },
    ...(patched ? { getGpuDevices: () => [] } : {}),
  };
  const llama = {
    gpu: "cuda",
    _bindings: bindings,
    loadModel: async ({ modelPath }: { modelPath: string }) => {
      new (bindings.AddonModel as new (p: string, o: object) => unknown)(path.resolve(modelPath), { gpuLayers: 99 });
      const context = { totalSequences: 1, contextSize: 256, batchSize: 512, _ctx: {} };
      return { createContext: async () => context, dispose: async () => {}, trainContextSize: 4096, _llama: { _bindings: bindings } };
    },
  } as unknown as Llama;
  return { llama, constructed };
}

function residency(devices: GpuDevice[], opts: Partial<ResidencyOptions> & { patched?: boolean } = {}) {
  const { llama, constructed } = fakeLlama(opts.patched ?? true);
  const sized: Array<{ file: string; gpus?: Array<{ freeBytes: number; share: number }> }> = [];
  const r = new ModelResidency({
    llama,
    // 90% of the VRAM, as the engine sets it.
    budgetBytes: devices.reduce((a, d) => a + d.totalBytes, 0) * 0.9,
    devices: async () => devices,
    sequencesFor: (file, _bytes, gpus) => (sized.push({ file: path.basename(file), gpus }), 1),
    contextSize: 256,
    busyPoll: false,
    ...opts,
  });
  return { r, constructed, sized };
}

const use = async (r: ModelResidency, modelPath: string) => (await r.acquire({ modelPath })).release();

describe("ModelResidency on one GPU", () => {
  it("loads as before: the whole model on GPU 0, no split options, and refuses one over the budget naming the GPU", async () => {
    const { r, constructed, sized } = residency([h200(0)], { patched: false });
    await use(r, await model("a", 40));
    expect(r.usedBytes()).toEqual([50 * GiB]);
    expect(constructed[0]!.options).toEqual({ gpuLayers: 99 });
    expect(sized[0]!.gpus).toEqual([{ freeBytes: 140 * GiB, share: 1 }]);
    // 40 + 70 GiB of weights need 137.5 GiB with the margin: a's idle copy is unloaded for b.
    await use(r, await model("b", 70));
    expect(r.resident().map((p) => path.basename(p))).toEqual(["b.gguf"]);
    await expect(r.acquire({ modelPath: await model("c", 110) })).rejects.toThrow(/c\.gguf needs about 140800 MiB and fits on none of this worker's GPUs: GPU 0 "NVIDIA H200" would take 140800 MiB of its 129024 MiB budget/);
    await r.dispose();
  });
});

describe("ModelResidency on two GPUs", () => {
  it("splits a model too large for one GPU by free VRAM, charging each its share, and loads it on a prebuilt binary too", async () => {
    const devices = [h200(0, 120), h200(1, 40)];
    const { r, constructed, sized } = residency(devices, { patched: false });
    await use(r, await model("big", 80));
    expect(r.usedBytes()).toEqual([75 * GiB, 25 * GiB]);
    // llama.cpp's default split (split_mode LAYER, tensor_split all zero) needs no option.
    expect(constructed[0]!.options).toEqual({ gpuLayers: 99 });
    expect(sized[0]!.gpus).toEqual([{ freeBytes: 120 * GiB, share: 0.75 }, { freeBytes: 40 * GiB, share: 0.25 }]);
    await r.dispose();
  });

  it("hands the user's proportions to the addon's AddonModel, and a prebuilt binary refuses them with a clear error", async () => {
    const devices = [h200(0), h200(1)];
    const patched = residency(devices, { split: { mode: "layer", proportions: [3, 1] } });
    const file = await model("m", 8);
    await use(patched.r, file);
    expect(patched.constructed[0]).toEqual({ path: file, options: { gpuLayers: 99, tensorSplit: [3, 1] } });
    expect(patched.r.usedBytes()).toEqual([7.5 * GiB, 2.5 * GiB]);
    await patched.r.dispose();

    const prebuilt = residency(devices, { split: { mode: "layer", proportions: [3, 1] }, patched: false });
    const err = await prebuilt.r.acquire({ modelPath: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelPlacementError);
    expect((err as ModelPlacementError).code).toBe("split_unsupported");
    expect((err as Error).message).toMatch(/need a source build of llama\.cpp/);
    expect(prebuilt.constructed).toEqual([]);
    expect(prebuilt.r.resident()).toEqual([]);
  });
});

describe("ModelResidency on four GPUs", () => {
  it("with split mode none keeps one model whole per GPU, the freest first, unloading the least recently used when all are taken", async () => {
    const devices = [h200(0, 140), h200(1, 139), h200(2, 138), h200(3, 137)];
    const { r, constructed } = residency(devices, { split: { mode: "none", proportions: null } });
    const files = await Promise.all([0, 1, 2, 3, 4].map((i) => model(`m${i}`, 80)));
    for (const f of files.slice(0, 4)) await use(r, f);
    // Each 80 GiB model (100 GiB charged) takes the freest GPU that still has room in its budget.
    expect(constructed.map((c) => c.options)).toEqual([0, 1, 2, 3].map((mainGpu) => ({ gpuLayers: 99, splitMode: 0, mainGpu })));
    expect(r.usedBytes()).toEqual([100, 100, 100, 100].map((g) => g * GiB));
    await use(r, files[4]!);
    expect(r.resident()).toHaveLength(4);
    expect(r.resident()).not.toContain(files[0]);
    expect(constructed[4]!.options.mainGpu).toBe(0);
    await r.dispose();
  });

  it("refuses a model no single GPU holds with split mode none, naming every GPU, though the four together would", async () => {
    const devices = [0, 1, 2, 3].map((i) => h200(i));
    const { r } = residency(devices, { split: { mode: "none", proportions: null } });
    const err = (await r.acquire({ modelPath: await model("huge", 120) }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ModelPlacementError);
    for (const i of [0, 1, 2, 3]) expect(err.message).toContain(`GPU ${i} "NVIDIA H200" would take 153600 MiB of its 129024 MiB budget`);
    // A layer split over the four fits it.
    const split = residency(devices);
    await use(split.r, await model("huge", 120));
    expect(split.r.usedBytes()).toEqual([37.5, 37.5, 37.5, 37.5].map((g) => g * GiB));
    await split.r.dispose();
  });
});
