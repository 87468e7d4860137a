import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { QuantizeJob } from "./quantize-chunk";

type Pending = { resolve: (b: Uint8Array) => void; reject: (e: Error) => void };

/**
 * Worker threads that quantize chunks in parallel. The worker is TypeScript and Node 20 workers do not inherit
 * loader hooks, so each thread boots through tsx's `tsImport`: the same under tsx, vitest and the BullMQ worker.
 */
export class QuantPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; job: QuantizeJob }[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly owner = new Map<Worker, number>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(size: number) {
    // The ESM build of tsx's API (require.resolve would pick the CJS one).
    const tsxDir = path.dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
    const tsxApi = pathToFileURL(path.join(tsxDir, "dist/esm/api/index.mjs")).href;
    const entry = new URL("./quantize-worker.ts", import.meta.url).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
    for (let i = 0; i < size; i++) {
      const w = new Worker(boot, { eval: true });
      w.on("message", (msg: { id: number; out?: Uint8Array; error?: string }) => {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        this.owner.delete(w);
        if (msg.out) p?.resolve(msg.out);
        else p?.reject(new Error(`quantization failed: ${msg.error}`));
        this.dispatch(w);
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => code !== 0 && this.fail(new Error(`quantization worker exited with code ${code}`)));
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
    this.owner.set(w, next.id);
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
