import { Worker } from "node:worker_threads";
import { GGML_QUANT_SIZES } from "../gguf";
import { ConvertError, type ConvertErrorCode } from "./errors";
import { kQuantsWasmError, LLAMA_QUANTS, QUANTS, type Quant } from "./quants";
import { decodeSource } from "./quants/decode-source";
import { buildF16Table, makeF32ToF16Bits } from "./quants/float-bits";
import { Q8_0_SIMD_WASM, quantizeQ8_0SimdHeap } from "./quants/q8_0-simd";
import { quantizeWith } from "./quants/quantize-chunk";
import { runChunk, type ChunkTask } from "./run-chunk";

/**
 * The worker's program, assembled from the self-contained functions' source text: plain JavaScript, so threads need
 * no TypeScript loader (a loader costs each thread a hooks thread and tens of MiB). `__name` covers transpilers that
 * keep function names through a helper.
 */
function workerSource(): string {
  const runtimes = (quants: ReadonlyMap<number, Quant>) =>
    [...quants.values()].map((q) => {
      const [blockSize, typeSize] = GGML_QUANT_SIZES[q.ggmlType];
      const f16 = q.kernelF16 ? `(${q.kernelF16.toString()})` : "undefined";
      const kernel = q.factory ? `(${q.factory.toString()})(${q.ggmlType})` : `(${q.kernel.toString()})`;
      return `${q.ggmlType}: { kernel: ${kernel}, kernelF16: ${f16}, blockSize: ${blockSize}, typeSize: ${typeSize}, decode, table, toHalf }`;
    });
  return `"use strict";
var __name = (f) => f;
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const decode = (${decodeSource.toString()});
const table = (${buildF16Table.toString()})();
const toHalf = (${makeF32ToF16Bits.toString()})();
const runChunk = (${runChunk.toString()});
const ctx = {
  fs,
  outFd: fs.openSync(workerData.outFile, "r+"),
  fds: new Map(),
  buffers: new Map(),
  // WebAssembly SIMD (in Node since 16.4) for F16 → Q8_0; the JS kernels serve every other pair.
  simd: new WebAssembly.Instance(new WebAssembly.Module(workerData.wasm), {}).exports,
  quantizeQ8_0SimdHeap: (${quantizeQ8_0SimdHeap.toString()}),
  quantizeWith: (${quantizeWith.toString()}),
  runtimes: { ${runtimes(QUANTS).join(",\n")} },
  llamaRuntimes: { ${runtimes(LLAMA_QUANTS).join(",\n")} },
};
parentPort.on("message", (task) => {
  if (task === null) {
    for (const fd of [ctx.outFd, ...ctx.fds.values()]) fs.closeSync(fd);
    return parentPort.postMessage({ closed: true });
  }
  try {
    runChunk(task, ctx);
    parentPort.postMessage({ index: task.index });
  } catch (e) {
    parentPort.postMessage({ index: task.index, error: String((e && e.message) || e), code: e && e.code, file: e && e.file });
  }
});`;
}

type Reply = { index: number } | { index: number; error: string; code?: string; file?: string } | { closed: true };

/** A worker's failure: our own codes become ConvertErrors naming the file, anything else (EIO, ENOSPC) an Error. */
function chunkError(task: ChunkTask, r: { error: string; code?: string; file?: string }): Error {
  if (r.code === "invalid_tensors") return new ConvertError(r.code as ConvertErrorCode, `${task.tensor}: ${r.error}`, r.file);
  return Object.assign(new Error(`converting ${task.tensor}: ${r.error}`), r.code ? { code: r.code } : {});
}

/**
 * Worker threads that each take whole chunks (read, reorder, convert, positional write), so reading,
 * converting and writing overlap across cores with no data crossing threads. Each worker holds at most `depth`
 * chunks, which bounds memory to a few chunk buffers per thread.
 */
export class ChunkPool {
  private readonly workers: { worker: Worker; inFlight: Map<number, ChunkTask> }[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly depth: number;
  private failure: Error | null = null;

  /** `onDone` gets each chunk once it is written (in any order). */
  constructor(params: { threads: number; outFile: string; depth?: number; onDone: (task: ChunkTask) => void }) {
    const source = workerSource();
    kQuantsWasmError(); // logs once per process when the workers' K-quants will run in JavaScript
    this.depth = params.depth ?? 2;
    for (let i = 0; i < params.threads; i++) {
      const worker = new Worker(source, { eval: true, workerData: { outFile: params.outFile, wasm: Q8_0_SIMD_WASM } });
      const entry = { worker, inFlight: new Map<number, ChunkTask>() };
      worker.on("message", (r: Reply) => {
        if ("closed" in r) return;
        const task = entry.inFlight.get(r.index)!;
        entry.inFlight.delete(r.index);
        if ("error" in r) this.fail(chunkError(task, r));
        else if (!this.failure) {
          try {
            params.onDone(task);
          } catch (e) {
            this.fail(e as Error); // e.g. a throwing progress callback: the conversion fails, the process does not
          }
        }
        this.waiters.shift()?.();
      });
      worker.on("error", (e) => this.fail(e));
      this.workers.push(entry);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiters.splice(0)) w();
  }

  private busy(): number {
    return this.workers.reduce((a, w) => a + w.inFlight.size, 0);
  }

  /** Hands a chunk to the least busy worker, first waiting while every worker holds `depth` chunks. */
  async submit(task: ChunkTask): Promise<void> {
    while (!this.failure && this.busy() >= this.workers.length * this.depth) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
    const w = this.workers.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    w.inFlight.set(task.index, task);
    w.worker.postMessage(task);
  }

  /** Waits for every submitted chunk; throws the first failure. */
  async drain(): Promise<void> {
    while (!this.failure && this.busy() > 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Closes the workers' files (after their current chunks) and stops them. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async ({ worker }) => {
        const closed = new Promise<void>((resolve) => {
          worker.on("message", (r: Reply) => "closed" in r && resolve());
          worker.once("exit", () => resolve());
          worker.once("error", () => resolve());
        });
        worker.postMessage(null);
        await closed;
        await worker.terminate();
      }),
    );
  }
}
