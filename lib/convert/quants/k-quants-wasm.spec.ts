import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { GGML_QUANT_SIZES, GgmlType } from "../../gguf";
import { rng } from "../../../bench/serving/workload";
import { decodeSource } from "./decode-source";
import { F16_TO_F32, f32ToF16Bits } from "./float-bits";
import { makeKQuantKernel } from "./k-quants";
import { K_QUANTS_WASM_ENV, kQuantsWasmError } from "./k-quants-wasm";
import { quantizeWith } from "./quantize-chunk";

const TYPES = [GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];
const rand = rng(1414);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const half = (v: number) => F16_TO_F32[f32ToF16Bits(v)]!;
const block = (fn: (i: number) => number) => Float32Array.from({ length: 256 }, (_, i) => fn(i));

/** Super-blocks that take every branch: the empty and constant sub-blocks, one sign only, extreme scales, outliers. */
function edgeBlocks(): Float32Array[] {
  const out = [
    block(() => 0),
    block((i) => (i < 128 ? 0 : -0)),
    block(() => 0.25),
    block(() => -3),
    block(() => 65504),
    block(() => -65504),
    block((i) => (i % 2 ? 65504 : -65504)),
    block((i) => half(5.96e-8 * (i % 3))), // f16 subnormals
    block(() => 1e-20 * gauss()), // below GROUP_MAX_EPS (f32 input)
    block((i) => 1e-15 * (i % 2)),
    block(() => 1e30 * gauss()),
    block(() => -Math.abs(gauss())),
    block(() => Math.abs(gauss())),
    block((i) => (i === 77 ? 1 : 0)),
    block((i) => (i === 200 ? -5 : 1e-3)),
    block((i) => ((i >> 4) % 2 ? 0 : gauss())), // every other 16-sub-block empty
    block((i) => ((i >> 5) % 3 ? 7 : gauss())), // constant 32-sub-blocks beside random ones
    block(() => Math.round(gauss() * 4)), // few distinct levels: steps that repeat their levels
    block((i) => (i % 16) - 8),
  ];
  for (let k = 0; k < 40; k++) {
    const scale = 10 ** (rand() * 12 - 8);
    const outlier = rand() < 0.5 ? 12 : 1;
    out.push(block(() => half(gauss() * scale * (rand() < 0.02 ? outlier : 1))));
    out.push(block(() => gauss() * scale + (rand() < 0.5 ? scale * 3 : 0)));
  }
  return out;
}

describe("K-quant WebAssembly kernels", () => {
  it("load (scripts/build-wasm.ts built native/k-quants)", () => {
    expect(kQuantsWasmError()).toBeNull();
  });

  it("load in a worker thread from the factory's source text alone (as chunk-pool.ts builds them)", async () => {
    const source = `const { parentPort } = require("node:worker_threads");
var __name = (f) => f;
parentPort.postMessage(typeof (${makeKQuantKernel.toString()})(${GgmlType.Q4_K}).f16);`;
    const worker = new Worker(source, { eval: true });
    try {
      expect(await new Promise((resolve, reject) => worker.once("message", resolve).once("error", reject))).toBe("function");
    } finally {
      await worker.terminate();
    }
  });

  it("fall back to the JavaScript kernel where the module's file is missing", () => {
    const file = process.env[K_QUANTS_WASM_ENV];
    process.env[K_QUANTS_WASM_ENV] = "/nonexistent/k-quants.wasm";
    try {
      const kernel = makeKQuantKernel(GgmlType.Q4_K);
      expect(kernel.f16).toBeUndefined();
      const src = block(() => gauss());
      const [ours, js] = [new Uint8Array(144), new Uint8Array(144)];
      kernel(src, ours, f32ToF16Bits, F16_TO_F32);
      makeKQuantKernel(GgmlType.Q4_K, "js")(src, js, f32ToF16Bits, F16_TO_F32);
      expect(ours).toEqual(js);
    } finally {
      process.env[K_QUANTS_WASM_ENV] = file;
    }
  });

  it("widen every half as the F16 table does (NaN as its canonical NaN)", () => {
    const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(process.env[K_QUANTS_WASM_ENV]!)), {}).exports as {
      CAPACITY: WebAssembly.Global; IN: WebAssembly.Global; IN16: WebAssembly.Global; memory: WebAssembly.Memory; widen: (nblocks: number) => void;
    };
    const per = wasm.CAPACITY.value * 256;
    const table = new Uint32Array(F16_TO_F32.buffer);
    for (let from = 0; from < 65536; from += per) {
      new Uint16Array(wasm.memory.buffer, wasm.IN16.value, per).set(Uint16Array.from({ length: per }, (_, i) => from + i));
      wasm.widen(wasm.CAPACITY.value);
      expect(new Uint32Array(wasm.memory.buffer, wasm.IN.value, per)).toEqual(table.subarray(from, from + per));
    }
  });

  it.each(TYPES.map((t) => [GgmlType[t], t] as const))("%s: from F16 input (widened in the module), the JavaScript kernel's bytes", (_name, type) => {
    const [blockSize, typeSize] = GGML_QUANT_SIZES[type];
    const blocks = 100;
    // random finite halves of every magnitude, and Gaussian rows
    const halves = Uint16Array.from({ length: blocks * 256 }, (_, i) => (i < 50 * 256 ? Math.floor(rand() * 0x7c00) | (rand() < 0.5 ? 0x8000 : 0) : f32ToF16Bits(gauss() * 0.05)));
    const bytes = new Uint8Array(halves.buffer);
    const run = (backend: "js" | "wasm") => {
      const dst = new Uint8Array(blocks * typeSize);
      quantizeWith({ bytes, dtype: "F16", ggmlType: type }, dst, { kernel: makeKQuantKernel(type, backend), blockSize, typeSize, decode: decodeSource, table: F16_TO_F32, toHalf: f32ToF16Bits });
      return dst;
    };
    expect(makeKQuantKernel(type).f16).toBeDefined();
    expect(run("wasm")).toEqual(run("js"));
  });

  it.each(TYPES.map((t) => [GgmlType[t], t] as const))("%s: the same bytes as the JavaScript kernel on edge-case and random rows", (_name, type) => {
    const [, typeSize] = GGML_QUANT_SIZES[type];
    const blocks = edgeBlocks();
    // Gaussian rows whose scale changes per super-block, longer than one call into the module (64 super-blocks).
    for (let b = 0; b < 150; b++) blocks.push(block(() => half(gauss() * 0.02 * (1 + (b % 7)) * (rand() < 0.01 ? 12 : 1))));
    const src = new Float32Array(blocks.length * 256);
    blocks.forEach((b, i) => src.set(b, i * 256));
    const js = new Uint8Array(blocks.length * typeSize).fill(0xaa);
    const wasm = new Uint8Array(blocks.length * typeSize).fill(0x55);
    makeKQuantKernel(type, "js")(src, js, f32ToF16Bits, F16_TO_F32);
    makeKQuantKernel(type)(src, wasm, f32ToF16Bits, F16_TO_F32);
    for (let i = 0; i < blocks.length; i++) {
      expect(wasm.subarray(i * typeSize, (i + 1) * typeSize), `super-block ${i}`).toEqual(js.subarray(i * typeSize, (i + 1) * typeSize));
    }
  });
});
