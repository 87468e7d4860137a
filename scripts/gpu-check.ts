// The multi-GPU settings on a real GPU (issue 20), for a machine with one or more NVIDIA GPUs and a CUDA source build
// of node-llama-cpp with scripts/patch-node-llama-cpp.ts applied:
//   CUDA_VISIBLE_DEVICES=0 node --import tsx scripts/gpu-check.ts <model.gguf>
// One line per check, then "N passed, N failed"; exit status 1 on any failure. (It does not import scripts/start.ts,
// whose own-file check would start the app inside an esbuild bundle; scripts/start.spec.ts covers the worker list.)
import { execFileSync } from "node:child_process";
import { samplingParams } from "../lib/generation/sampling";
import { generateTokens } from "../lib/inference/generate-tokens";
import { hasNativeAdditions, queryGpuDevices } from "../lib/inference/gpu-devices";
import { deviceRows, depotLlama } from "../lib/inference/llama";
import { loadModelSplit } from "../lib/inference/model-split";
import { hasBatchSampling } from "../lib/inference/native-llama";
import { ModelResidency } from "../lib/inference/residency";

const gguf = process.argv[2];
if (!gguf) throw new Error("usage: scripts/gpu-check.ts <model.gguf>");
let failed = 0;
let passed = 0;
async function check(name: string, fn: () => Promise<unknown> | unknown): Promise<void> {
  try {
    const detail = await fn();
    passed++;
    console.log(`ok   ${name}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
function assert(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

const llama = await depotLlama();
const greedy = samplingParams.parse({ temperature: 0, maxTokens: 16 });

/** 16 greedy tokens of a residency (with the worker's GPUs, or without: as before issue 20). */
async function tokensOf(r: ModelResidency): Promise<number[]> {
  const lease = await r.acquire({ modelPath: gguf! });
  try {
    return (await generateTokens({ sequence: lease.sequence, model: lease.model, promptTokens: lease.model.tokenize("Once upon a time"), sampling: greedy })).tokens;
  } finally {
    lease.release();
  }
}

await check("CUDA source build with llama-depot's native additions", () => {
  assert(llama.gpu === "cuda", `backend ${String(llama.gpu)}`);
  assert(hasNativeAdditions(llama) && hasBatchSampling(llama), "the addon lacks getGpuDevices or AddonDecodeLoop: not built from patched sources");
});

const nvidiaSmi = (() => {
  try {
    return execFileSync("nvidia-smi", ["-L"], { encoding: "utf8" });
  } catch {
    return "";
  }
})();
const gpuCount = nvidiaSmi.split("\n").filter((l) => l.startsWith("GPU ")).length;
const devices = await queryGpuDevices(llama);
await check("each GPU's memory from the native addon, numbered as the host numbers it", () => {
  const visible = process.env.CUDA_VISIBLE_DEVICES?.split(",") ?? [];
  assert(devices.length === (visible.length || gpuCount), `${devices.length} devices`);
  assert(devices.every((d) => !d.approximate && d.totalBytes > 0 && d.freeBytes > 0 && d.freeBytes <= d.totalBytes), JSON.stringify(devices));
  if (visible.length) assert(devices.every((d) => d.hostIndex === Number(visible[d.index])), JSON.stringify(devices));
  return devices.map((d) => ({ index: d.index, hostIndex: d.hostIndex, name: d.name, totalGiB: +(d.totalBytes / 2 ** 30).toFixed(1) }));
});

const budgetBytes = devices.reduce((a, d) => a + d.totalBytes, 0) * 0.9;
let before: number[] = [];
await check("without the worker's GPUs (as before): greedy tokens", async () => {
  const r = new ModelResidency({ llama, budgetBytes, sequencesFor: () => 2, contextSize: 512 });
  before = await tokensOf(r);
  await r.dispose();
  assert(before.length > 0, "no tokens");
  return before.length;
});

await check("with the worker's GPUs budgeted: the same greedy tokens, charged to the GPUs, the heartbeat's rows", async () => {
  const r = new ModelResidency({ llama, budgetBytes, devices: () => queryGpuDevices(llama), sequencesFor: () => 2, contextSize: 512 });
  const tokens = await tokensOf(r);
  const used = r.usedBytes();
  const rows = deviceRows(await queryGpuDevices(llama), [{ file: "m.gguf", shares: used.map((u) => u / used.reduce((a, b) => a + b, 0)) }]);
  await r.dispose();
  assert(JSON.stringify(tokens) === JSON.stringify(before), `${JSON.stringify(tokens)} vs ${JSON.stringify(before)}`);
  assert(used.length === devices.length && used.every((u) => u > 0), `charged ${JSON.stringify(used)}`);
  return rows.map((d) => ({ gpu: d.hostIndex ?? d.index, usedGiB: +(d.usedBytes / 2 ** 30).toFixed(1), models: d.models }));
});

await check("main_gpu reaches llama.cpp: split mode none on the last GPU loads, one past it is refused", async () => {
  const last = devices.length - 1;
  const m = await loadModelSplit(llama, gguf, { splitMode: 0, mainGpu: last });
  assert(m.gpuLayers > 0, "no layers offloaded");
  await m.dispose();
  const err = await loadModelSplit(llama, gguf, { splitMode: 0, mainGpu: devices.length }).then(
    async (x) => (await x.dispose(), null),
    (e: unknown) => e,
  );
  assert(err !== null, `main_gpu ${devices.length} loaded`);
});

await check("tensor_split reaches the patched AddonModel: its length is checked natively, a valid one loads", async () => {
  const err = await loadModelSplit(llama, gguf, { tensorSplit: Array.from({ length: 1024 }, () => 1) }).catch((e: unknown) => e);
  assert(err instanceof Error && /llama_max_devices/.test(err.message), `1024 proportions: ${String(err)}`);
  const m = await loadModelSplit(llama, gguf, { tensorSplit: devices.map(() => 1) });
  await m.dispose();
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
