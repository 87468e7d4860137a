import { describe, expect, it } from "vitest";
import { ConfigError } from "../lib/config/env";
import { workerProcesses } from "./start";

const env = (over: Partial<{ WORKER_GPUS: string; WORKER_PER_GPU: string; WORKER_NAME: string; CUDA_DEVICE_ORDER: string }> = {}) => ({ WORKER_GPUS: "", WORKER_PER_GPU: "false", ...over });
const noSmi = () => {
  throw new Error("nvidia-smi asked");
};
const order = { CUDA_DEVICE_ORDER: "PCI_BUS_ID" };

describe("npm start's workers", () => {
  it("runs one worker with every GPU it sees by default, leaving CUDA_VISIBLE_DEVICES alone", () => {
    expect(workerProcesses({ argv: [], env: env(), hostGpus: noSmi })).toEqual([{ label: "worker", env: {} }]);
  });

  it("gives one worker the listed GPUs, numbered as nvidia-smi numbers them", () => {
    expect(workerProcesses({ argv: [], env: env({ WORKER_GPUS: "0,2" }), hostGpus: noSmi })).toEqual([{ label: "worker", env: { CUDA_VISIBLE_DEVICES: "0,2", ...order } }]);
    // The flag wins over the setting; a CUDA_DEVICE_ORDER of the user's is kept.
    expect(workerProcesses({ argv: ["--gpus", "1"], env: env({ WORKER_GPUS: "0,2", CUDA_DEVICE_ORDER: "FASTEST_FIRST" }), hostGpus: noSmi })).toEqual([{ label: "worker", env: { CUDA_VISIBLE_DEVICES: "1", CUDA_DEVICE_ORDER: "FASTEST_FIRST" } }]);
  });

  it("runs one worker per GPU, each seeing only its own, under its own name", () => {
    expect(workerProcesses({ argv: ["--worker-per-gpu"], env: env(), hostGpus: () => 4 }).map((w) => [w.label, w.env.CUDA_VISIBLE_DEVICES])).toEqual([0, 1, 2, 3].map((g) => [`worker-gpu${g}`, String(g)]));
    expect(workerProcesses({ argv: ["--gpus", "2,3"], env: env({ WORKER_PER_GPU: "true", WORKER_NAME: "box" }), hostGpus: noSmi })).toEqual([
      { label: "worker-gpu2", env: { CUDA_VISIBLE_DEVICES: "2", ...order, WORKER_NAME: "box-gpu2" } },
      { label: "worker-gpu3", env: { CUDA_VISIBLE_DEVICES: "3", ...order, WORKER_NAME: "box-gpu3" } },
    ]);
    // One GPU: one worker, as without the setting but pinned to it.
    expect(workerProcesses({ argv: [], env: env({ WORKER_PER_GPU: "true" }), hostGpus: () => 1 })).toEqual([{ label: "worker-gpu0", env: { CUDA_VISIBLE_DEVICES: "0", ...order } }]);
  });

  it("refuses a bad GPU list, and one worker per GPU where nvidia-smi lists none", () => {
    expect(() => workerProcesses({ argv: ["--gpus", "a"], env: env(), hostGpus: noSmi })).toThrow(ConfigError);
    expect(() => workerProcesses({ argv: ["--worker-per-gpu"], env: env(), hostGpus: () => 0 })).toThrow(/nvidia-smi lists no GPU/);
  });
});
