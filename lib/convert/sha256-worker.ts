import { Worker } from "node:worker_threads";
import type { SlotPool } from "./slot-pool";

// Plain JS so the thread needs no TypeScript loader. Slot chunks are hashed in place and acknowledged so their slot
// can be reused; other (small) chunks arrive as copies.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const hash = require("node:crypto").createHash("sha256");
parentPort.on("message", (m) => {
  if (m === null) return parentPort.postMessage({ digest: hash.digest("hex") });
  if (m instanceof Uint8Array) return hash.update(m);
  hash.update(new Uint8Array(workerData, m.offset, m.length));
  parentPort.postMessage({ offset: m.offset, length: m.length });
});`;

/** Hashes the output stream on another thread, so hashing overlaps file I/O and quantization. */
export class Sha256Worker {
  private readonly worker: Worker;
  private done: ((digest: string) => void) | null = null;
  private failure: Error | null = null;

  constructor(private readonly slots: SlotPool) {
    this.worker = new Worker(SOURCE, { eval: true, workerData: slots.sab });
    this.worker.on("message", (m: { digest?: string; offset?: number; length?: number }) => {
      if (m.digest !== undefined) this.done?.(m.digest);
      else slots.release(new Uint8Array(slots.sab, m.offset, m.length));
    });
    this.worker.on("error", (e) => (this.failure = e));
  }

  /** Appends a chunk; a slot chunk is handed over and its slot released once hashed. */
  update(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.slots.owns(chunk)) this.worker.postMessage({ offset: chunk.byteOffset, length: chunk.byteLength });
    else this.worker.postMessage(chunk.slice());
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<string>((r) => (this.done = r));
    this.worker.postMessage(null);
    return p;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
