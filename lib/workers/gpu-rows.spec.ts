import { describe, expect, it } from "vitest";
import { gpuRows } from "./gpu-rows";

const GiB = 2 ** 30;

describe("the Overview's GPU rows", () => {
  it("shows every GPU of a worker with its VRAM and the models, or their share of layers, on it", () => {
    const rows = gpuRows({
      backend: "cuda",
      devices: ["NVIDIA H200", "NVIDIA H200"],
      vramTotal: 280 * GiB,
      vramUsed: 140 * GiB,
      gpus: [
        { index: 0, hostIndex: 2, name: "NVIDIA H200", totalBytes: 140 * GiB, usedBytes: 100 * GiB, models: [{ file: "llama-70b/q4.gguf", share: 0.75 }] },
        { index: 1, hostIndex: 3, name: "NVIDIA H200", totalBytes: 140 * GiB, usedBytes: 40 * GiB, approximate: true, models: [{ file: "llama-70b/q4.gguf", share: 0.25 }, { file: "tiny/q8.gguf", share: 1 }] },
      ],
    });
    expect(rows).toEqual([
      { key: "0", label: "GPU 2 · NVIDIA H200", usedBytes: 100 * GiB, totalBytes: 140 * GiB, approximate: false, models: ["llama-70b/q4.gguf (75% of layers)"] },
      { key: "1", label: "GPU 3 · NVIDIA H200", usedBytes: 40 * GiB, totalBytes: 140 * GiB, approximate: true, models: ["llama-70b/q4.gguf (25% of layers)", "tiny/q8.gguf"] },
    ]);
  });

  it("gives a worker of an earlier version one row for its VRAM sums, and none to a CPU worker", () => {
    const old = gpuRows({ backend: "cuda", devices: ["NVIDIA H200"], vramTotal: 140 * GiB, vramUsed: 10 * GiB, models: [{ file: "m/q.gguf", gpuLayers: 33, totalLayers: 33 }] });
    expect(old).toEqual([{ key: "all", label: "NVIDIA H200", usedBytes: 10 * GiB, totalBytes: 140 * GiB, approximate: false, models: ["m/q.gguf"] }]);
    expect(gpuRows({ backend: "cpu", devices: [], vramTotal: 0, vramUsed: 0 })).toEqual([]);
    expect(gpuRows(null)).toEqual([]);
  });
});
