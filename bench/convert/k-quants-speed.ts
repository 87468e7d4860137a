import { execFileSync } from "node:child_process";
import { GGML_QUANT_SIZES, GgmlType } from "../../lib/gguf";
import { decodeSource } from "../../lib/convert/quants/decode-source";
import { F16_TO_F32, f32ToF16Bits } from "../../lib/convert/quants/float-bits";
import { makeKQuantKernel } from "../../lib/convert/quants/k-quants";
import { kQuantsWasmError } from "../../lib/convert/quants/k-quants-wasm";
import { quantizeWith } from "../../lib/convert/quants/quantize-chunk";
import { rng } from "../serving/workload";

// K-quant kernels on one thread, JavaScript against WebAssembly in the same run: F16 (or F32) input through
// quantizeWith, the path a chunk takes in a worker (widening included). The input is Gaussian rows whose scale varies
// row to row with 1% outliers at 12× (test/helpers/k-quant-fixtures.ts' values). Each rep times both backends,
// alternating which goes first; the medians and the best of `--reps` (default 5) are reported as MB/s of input, with
// the load average before and after (2 shared cores: read the ratio, not the absolute numbers, under load).
// Usage: npx tsx bench/convert/k-quants-speed.ts [--reps N] [--blocks N (super-blocks, default 2048)] [--dtype F16|F32]
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const reps = Number(arg("reps", "5"));
const blocks = Number(arg("blocks", "2048"));
const dtype = arg("dtype", "F16") as "F16" | "F32";
const wasmError = kQuantsWasmError();
if (wasmError) throw new Error(`the WebAssembly module did not load (npx tsx scripts/build-wasm.ts builds it): ${wasmError}`);

const rand = rng(14);
const values = new Float32Array(blocks * 256);
for (let i = 0; i < values.length; i++) {
  const g = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  values[i] = F16_TO_F32[f32ToF16Bits(g * 0.02 * (1 + ((i >> 12) % 7)) * (rand() < 0.01 ? 12 : 1))]!;
}
const bytes = dtype === "F32" ? new Uint8Array(values.buffer) : new Uint8Array(Uint16Array.from(values, (v) => f32ToF16Bits(v)).buffer);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const load = () => execFileSync("uptime", { encoding: "utf8" }).trim().replace(/.*load average: /, "");
console.log(`${blocks} super-blocks of ${dtype} (${(bytes.byteLength / 1e6).toFixed(1)} MB) per run, ${reps} reps, node ${process.version}, load ${load()}`);
console.log("type  | JS median (best) MB/s | WASM median (best) MB/s | WASM/JS (median of per-rep ratios)");
for (const type of [GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K]) {
  const [blockSize, typeSize] = GGML_QUANT_SIZES[type];
  const dst = { js: new Uint8Array(blocks * typeSize), wasm: new Uint8Array(blocks * typeSize) };
  const kernels = { js: makeKQuantKernel(type, "js"), wasm: makeKQuantKernel(type, "wasm") };
  const run = (backend: "js" | "wasm") => {
    const start = performance.now();
    quantizeWith({ bytes, dtype, ggmlType: type }, dst[backend], { kernel: kernels[backend], blockSize, typeSize, decode: decodeSource, table: F16_TO_F32, toHalf: f32ToF16Bits });
    return bytes.byteLength / 1e6 / ((performance.now() - start) / 1000);
  };
  run("js"); // warm-up (JIT) of both
  run("wasm");
  const speeds = { js: [] as number[], wasm: [] as number[] };
  for (let r = 0; r < reps; r++) {
    for (const b of r % 2 ? (["wasm", "js"] as const) : (["js", "wasm"] as const)) speeds[b].push(run(b));
  }
  if (!dst.js.every((v, i) => v === dst.wasm[i])) throw new Error(`${GgmlType[type]}: the backends wrote different bytes`);
  const ratios = speeds.wasm.map((w, i) => w / speeds.js[i]!);
  const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.max(...xs).toFixed(1)})`;
  console.log(`${GgmlType[type].padEnd(5)} | ${fmt(speeds.js).padEnd(21)} | ${fmt(speeds.wasm).padEnd(23)} | ${median(ratios).toFixed(2)}×`);
}
console.log(`load after: ${load()}`);
