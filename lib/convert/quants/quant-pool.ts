import { Worker } from "node:worker_threads";
import { GGML_QUANT_SIZES, GgmlType } from "../../gguf";
import { decodeSource } from "./decode-source";
import { buildF16Table, makeF32ToF16Bits } from "./float-bits";
import { Q8_0_SIMD_MAX_INPUT, Q8_0_SIMD_WASM, quantizeQ8_0Simd } from "./q8_0-simd";
import { quantizeWith, type QuantizeJob } from "./quantize-chunk";
import { QUANTS } from "./registry";

type Pending = { resolve: () => void; reject: (e: Error) => void };
/** A job whose source and destination are views of the pool's shared slots. */
type SlotJob = { input: Uint8Array; output: Uint8Array } & Omit<QuantizeJob, "bytes">;
type WireJob = { inOffset: number; inLength: number; outOffset: number; outLength: number } & Omit<QuantizeJob, "bytes">;

/**
 * The worker's program, assembled from the self-contained kernels' source text: plain JavaScript, so threads need
 * no TypeScript loader (a loader costs each thread a hooks thread and tens of MiB). `__name` covers transpilers that
 * keep function names through a helper.
 */
function workerSource(): string {
  const kernels = [...QUANTS.values()].map(
    (q) =>
      `${q.ggmlType}: { kernel: (${q.kernel.toString()}), kernelF16: ${q.kernelF16 ? `(${q.kernelF16.toString()})` : "undefined"}, ` +
      `sizes: ${JSON.stringify(GGML_QUANT_SIZES[q.ggmlType])} }`,
  );
  return `"use strict";
var __name = (f) => f;
const { parentPort, workerData } = require("node:worker_threads");
const sab = workerData.sab;
const decode = (${decodeSource.toString()});
const table = (${buildF16Table.toString()})();
const toHalf = (${makeF32ToF16Bits.toString()})();
const quantizeWith = (${quantizeWith.toString()});
const kernels = { ${kernels.join(",\n")} };
const quantizeQ8_0Simd = (${quantizeQ8_0Simd.toString()});
// WebAssembly SIMD (in Node since 16.4) for F16 → Q8_0; the JS kernels serve every other pair.
const simd = new WebAssembly.Instance(new WebAssembly.Module(workerData.wasm), {}).exports;
parentPort.on("message", ({ id, job }) => {
  try {
    const k = kernels[job.ggmlType];
    if (!k) throw new Error("no quantizer for GGML type " + job.ggmlType);
    const bytes = new Uint8Array(sab, job.inOffset, job.inLength);
    const out = new Uint8Array(sab, job.outOffset, job.outLength);
    if (job.ggmlType === ${GgmlType.Q8_0} && job.dtype === "F16" && job.inLength <= ${Q8_0_SIMD_MAX_INPUT}) {
      quantizeQ8_0Simd(bytes, out, simd, toHalf);
      return parentPort.postMessage({ id });
    }
    quantizeWith({ bytes, dtype: job.dtype, ggmlType: job.ggmlType }, out, { kernel: k.kernel, kernelF16: k.kernelF16, blockSize: k.sizes[0], typeSize: k.sizes[1], decode, table, toHalf });
    parentPort.postMessage({ id });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});`;
}

/** Worker threads that quantize chunks in parallel, in place between slots of a shared buffer. */
export class QuantPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; job: WireJob }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(size: number, sab: SharedArrayBuffer) {
    const source = workerSource();
    for (let i = 0; i < size; i++) {
      const w = new Worker(source, { eval: true, workerData: { sab, wasm: Q8_0_SIMD_WASM } });
      w.on("message", (msg: { id: number; error?: string }) => {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error === undefined) p?.resolve();
        else p?.reject(new Error(`quantization failed: ${msg.error}`));
        this.dispatch(w);
      });
      w.on("error", (e) => this.fail(e));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private fail(e: Error) {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private dispatch(w: Worker) {
    const next = this.queue.shift();
    if (!next) {
      this.idle.push(w);
      return;
    }
    w.postMessage(next);
  }

  /** Quantizes `input` into `output`; both must stay untouched until the promise settles. */
  run(job: SlotJob): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const result = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const { input, output, ...rest } = job;
    this.queue.push({ id, job: { ...rest, inOffset: input.byteOffset, inLength: input.byteLength, outOffset: output.byteOffset, outLength: output.byteLength } });
    const w = this.idle.pop();
    if (w) this.dispatch(w);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
