import { Worker } from "node:worker_threads";

// Plain JS so the thread needs no TypeScript loader; it acknowledges each chunk so the sender can bound its backlog.
const SOURCE = `
const { parentPort } = require("node:worker_threads");
const hash = require("node:crypto").createHash("sha256");
parentPort.on("message", (m) => {
  if (m === null) parentPort.postMessage({ digest: hash.digest("hex") });
  else { hash.update(m); parentPort.postMessage({ ack: m.byteLength }); }
});`;

/** Hashes a byte stream on another thread, so hashing overlaps file I/O; at most `maxBacklog` bytes wait. */
export class Sha256Worker {
  private readonly worker = new Worker(SOURCE, { eval: true });
  private backlog = 0;
  private drained: (() => void) | null = null;
  private done: ((digest: string) => void) | null = null;
  private failure: Error | null = null;

  constructor(private readonly maxBacklog = 32 * 1024 * 1024) {
    this.worker.on("message", (m: { ack?: number; digest?: string }) => {
      if (m.digest !== undefined) this.done?.(m.digest);
      else {
        this.backlog -= m.ack!;
        if (this.backlog <= this.maxBacklog) this.drained?.();
      }
    });
    this.worker.on("error", (e) => {
      this.failure = e;
      this.drained?.();
    });
  }

  /** Queues a chunk; a chunk that owns its whole buffer is transferred (zero-copy), anything else is copied. */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
    const msg = owned ? chunk : chunk.slice();
    this.backlog += msg.byteLength;
    this.worker.postMessage(msg, [msg.buffer as ArrayBuffer]);
    if (this.backlog > this.maxBacklog) await new Promise<void>((r) => (this.drained = r));
    this.drained = null;
    if (this.failure) throw this.failure;
  }

  digest(): Promise<string> {
    const p = new Promise<string>((r) => (this.done = r));
    this.worker.postMessage(null);
    return p;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
