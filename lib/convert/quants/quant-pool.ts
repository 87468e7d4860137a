import { Worker } from "node:worker_threads";
import { GGML_QUANT_SIZES } from "../../gguf";
import { decodeSource } from "./decode-source";
import { buildF16Table, makeF32ToF16Bits } from "./float-bits";
import { quantizeWith, type QuantizeJob } from "./quantize-chunk";
import { QUANTS } from "./registry";

type Pending = { resolve: (b: Uint8Array) => void; reject: (e: Error) => void };

/**
 * The worker's program, assembled from the self-contained kernels' source text: plain JavaScript, so threads need
 * no TypeScript loader (a loader costs each thread a hooks thread and tens of MiB). `__name` covers transpilers that
 * keep function names through a helper.
 */
function workerSource(): string {
  const kernels = [...QUANTS.values()].map((q) => `${q.ggmlType}: { kernel: (${q.kernel.toString()}), sizes: ${JSON.stringify(GGML_QUANT_SIZES[q.ggmlType])} }`);
  return `"use strict";
var __name = (f) => f;
const { parentPort } = require("node:worker_threads");
const decode = (${decodeSource.toString()});
const table = (${buildF16Table.toString()})();
const toHalf = (${makeF32ToF16Bits.toString()})();
const quantizeWith = (${quantizeWith.toString()});
const kernels = { ${kernels.join(",\n")} };
parentPort.on("message", ({ id, job }) => {
  try {
    const k = kernels[job.ggmlType];
    if (!k) throw new Error("no quantizer for GGML type " + job.ggmlType);
    const out = quantizeWith(job, { kernel: k.kernel, blockSize: k.sizes[0], typeSize: k.sizes[1], decode, table, toHalf });
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});`;
}

/** Worker threads that quantize chunks in parallel. */
export class QuantPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; job: QuantizeJob }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(size: number) {
    const source = workerSource();
    for (let i = 0; i < size; i++) {
      const w = new Worker(source, { eval: true });
      w.on("message", (msg: { id: number; out?: Uint8Array; error?: string }) => {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.out) p?.resolve(msg.out);
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
    w.postMessage(next, [next.job.bytes.buffer as ArrayBuffer]);
  }

  /** Quantizes one chunk; its `bytes` buffer is transferred to the worker, so the caller must not reuse it. */
  run(job: QuantizeJob): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const result = new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.queue.push({ id, job });
    const w = this.idle.pop();
    if (w) this.dispatch(w);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
