import { describe, expect, it } from "vitest";
import type { GpuDevice } from "./gpu-devices";
import { deviceRows } from "./llama";

const GiB = 2 ** 30;
const dev = (index: number, freeGiB: number, hostIndex?: number): GpuDevice => ({ index, name: "NVIDIA H200", totalBytes: 140 * GiB, freeBytes: freeGiB * GiB, ...(hostIndex !== undefined ? { hostIndex } : {}) });

describe("the heartbeat's GPU rows", () => {
  it("reports each GPU's memory and each resident model's share on it", () => {
    const rows = deviceRows([dev(0, 40, 2), dev(1, 100, 3)], [
      { file: "llama-70b/q4.gguf", shares: [0.75, 0.25] },
      { file: "tiny/q8.gguf", shares: [0, 1] },
    ]);
    expect(rows).toEqual([
      { index: 0, hostIndex: 2, name: "NVIDIA H200", totalBytes: 140 * GiB, usedBytes: 100 * GiB, models: [{ file: "llama-70b/q4.gguf", share: 0.75 }] },
      { index: 1, hostIndex: 3, name: "NVIDIA H200", totalBytes: 140 * GiB, usedBytes: 40 * GiB, models: [{ file: "llama-70b/q4.gguf", share: 0.25 }, { file: "tiny/q8.gguf", share: 1 }] },
    ]);
    // The heartbeat stores it as JSON: nothing in it is lost on the way.
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });

  it("puts a model loaded without a placement on a lone GPU, and on none of several (where llama.cpp chose)", () => {
    expect(deviceRows([dev(0, 100)], [{ file: "m.gguf" }])[0]!.models).toEqual([{ file: "m.gguf", share: 1 }]);
    expect(deviceRows([dev(0, 100), dev(1, 100)], [{ file: "m.gguf" }]).flatMap((r) => r.models)).toEqual([]);
  });
});
