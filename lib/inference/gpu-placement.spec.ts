import type { Llama } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { ModelPlacementError } from "./errors";
import { queryGpuDevices, type GpuDevice } from "./gpu-devices";
import { candidatePlacements, fittingPlacement, parseTensorSplit, refusal, type SplitSettings } from "./gpu-placement";

const GiB = 2 ** 30;
const h200 = (index: number, freeGiB = 140): GpuDevice => ({ index, name: "NVIDIA H200", totalBytes: 140 * GiB, freeBytes: freeGiB * GiB });
const layer = { mode: "layer", proportions: null } as const;

describe("GPU placement", () => {
  it("puts the whole model on a lone GPU with node-llama-cpp's own options, whatever the split settings", () => {
    for (const split of [layer, { mode: "none", proportions: null } as const, { mode: "row", proportions: [3, 1] } satisfies SplitSettings]) {
      expect(candidatePlacements([h200(0)], split, 100)).toEqual([{ shares: [1], charges: [100], native: {} }]);
    }
    // No GPU: the one entry is host memory.
    expect(candidatePlacements([], layer, 100)).toEqual([{ shares: [1], charges: [100], native: {} }]);
  });

  it("splits layers in proportion to free VRAM by default, as llama.cpp does with an all-zero tensor_split: no native options", () => {
    const [p] = candidatePlacements([h200(0, 120), h200(1, 40)], layer, 1000);
    expect(p!.shares).toEqual([0.75, 0.25]);
    expect(p!.charges).toEqual([750, 250]);
    expect(p!.native).toEqual({});
  });

  it("splits by the given proportions over 4 GPUs (missing ones get none) and hands them to llama.cpp", () => {
    const devices = [0, 1, 2, 3].map((i) => h200(i));
    const [p] = candidatePlacements(devices, { mode: "layer", proportions: [2, 1, 1] }, 400);
    expect(p!.shares).toEqual([0.5, 0.25, 0.25, 0]);
    expect(p!.charges).toEqual([200, 100, 100, 0]);
    expect(p!.native).toEqual({ tensorSplit: [2, 1, 1, 0] });
    expect(candidatePlacements(devices, { mode: "row", proportions: null }, 400)[0]!.native).toEqual({ splitMode: 2 });
    expect(() => candidatePlacements(devices.slice(0, 2), { mode: "layer", proportions: [1, 1, 1] }, 400)).toThrow(/3 proportions, but this worker has 2 GPUs: GPU 0 "NVIDIA H200", GPU 1/);
  });

  it("with split mode none offers each GPU alone, the freest first, as main_gpu", () => {
    const c = candidatePlacements([h200(0, 10), h200(1, 100), h200(2, 50)], { mode: "none", proportions: null }, 7);
    expect(c.map((p) => p.native)).toEqual([1, 2, 0].map((mainGpu) => ({ splitMode: 0, mainGpu })));
    expect(c[0]!.charges).toEqual([0, 7, 0]);
    // GPU 1 is full within its budget: the next freest takes it.
    expect(fittingPlacement(c, [0, 95, 0], [100, 100, 100])).toBe(c[1]);
    expect(fittingPlacement(c, [95, 95, 95], [100, 100, 100])).toBeNull();
  });

  it("charges every device of a split its share, and refuses a model no placement fits, naming the devices", () => {
    const devices = [h200(0), h200(1)];
    const [p] = candidatePlacements(devices, { mode: "layer", proportions: [1, 1] }, 300 * GiB);
    expect(fittingPlacement([p!], [], [126 * GiB, 126 * GiB])).toBeNull();
    const err = refusal("/m/llama-405b.gguf", 300 * GiB, devices, [126 * GiB, 126 * GiB], [p!]);
    expect(err).toBeInstanceOf(ModelPlacementError);
    expect(err.code).toBe("too_large");
    expect(err.message).toBe(
      '/m/llama-405b.gguf needs about 307200 MiB and fits on none of this worker\'s GPUs: GPU 0 "NVIDIA H200" would take 153600 MiB of its 129024 MiB budget, GPU 1 "NVIDIA H200" would take 153600 MiB of its 129024 MiB budget',
    );
    expect(refusal("m.gguf", 2 * GiB, [], [GiB], [{ shares: [1], charges: [2 * GiB], native: {} }]).message).toBe("m.gguf needs about 2048 MiB, more than the inference budget (1024 MiB)");
  });

  it("parses INFERENCE_TENSOR_SPLIT", () => {
    expect(parseTensorSplit("")).toBeNull();
    expect(parseTensorSplit("3,1")).toEqual([3, 1]);
    expect(() => parseTensorSplit("0,0")).toThrow(ModelPlacementError);
  });
});

/** A stand-in Llama: its addon with or without native/node-llama-cpp's getGpuDevices. */
function fakeLlama(p: { names: string[]; total: number; free: number; native?: Array<{ name: string; total: number; free: number }> }): Llama {
  return {
    gpu: "cuda",
    getGpuDeviceNames: async () => p.names,
    getVramState: async () => ({ total: p.total, free: p.free, used: p.total - p.free }),
    _bindings: p.native ? { getGpuDevices: () => p.native } : {},
  } as unknown as Llama;
}

describe("the worker's GPUs", () => {
  it("reads each GPU's memory from the patched addon, numbered as the host numbers them under CUDA_VISIBLE_DEVICES", async () => {
    const llama = fakeLlama({ names: ["A", "B"], total: 0, free: 0, native: [{ name: "A", total: 100, free: 60 }, { name: "B", total: 80, free: 80 }] });
    expect(await queryGpuDevices(llama, "2,3")).toEqual([
      { index: 0, name: "A", totalBytes: 100, freeBytes: 60, hostIndex: 2 },
      { index: 1, name: "B", totalBytes: 80, freeBytes: 80, hostIndex: 3 },
    ]);
    expect((await queryGpuDevices(llama, undefined))[0]!.hostIndex).toBeUndefined();
  });

  it("without the patch: exact for one GPU, the sum split evenly and marked approximate for several", async () => {
    expect(await queryGpuDevices(fakeLlama({ names: ["H200"], total: 100, free: 40 }), "1")).toEqual([{ index: 0, name: "H200", totalBytes: 100, freeBytes: 40, hostIndex: 1 }]);
    const four = await queryGpuDevices(fakeLlama({ names: ["a", "b", "c", "d"], total: 400, free: 200 }), undefined);
    expect(four.map((d) => [d.index, d.totalBytes, d.freeBytes, d.approximate])).toEqual([0, 1, 2, 3].map((i) => [i, 100, 50, true]));
    expect(await queryGpuDevices({ gpu: false } as unknown as Llama)).toEqual([]);
  });
});
