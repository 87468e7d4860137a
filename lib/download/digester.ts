import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";

/** md5 + sha256 over bytes fed strictly in file order. */
export interface Digester {
  update(chunk: Uint8Array): void;
  /** Bytes fed but not hashed yet (0 for the inline digester). */
  readonly backlog: number;
  /** Resolves once the backlog is at most `bytes`. */
  drained(bytes: number): Promise<void>;
  digest(): Promise<{ md5: string; sha256: string }>;
  close(): Promise<void>;
}

/** Files below this are hashed on the main thread: starting two workers would cost more than it saves. */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;

export function createDigester(totalBytes: number): Digester {
  return totalBytes >= WORKER_MIN_BYTES ? new WorkerDigester() : new InlineDigester();
}

class InlineDigester implements Digester {
  private readonly md5 = createHash("md5");
  private readonly sha256 = createHash("sha256");
  readonly backlog = 0;
  update(chunk: Uint8Array): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
  }
  async drained(): Promise<void> {}
  async digest() {
    return { md5: this.md5.digest("hex"), sha256: this.sha256.digest("hex") };
  }
  async close(): Promise<void> {}
}

// Plain CommonJS evaluated in the worker, so it runs the same under tsx, vitest and a bundled Next build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const hash = require("node:crypto").createHash(workerData);
parentPort.on("message", (m) => {
  if (m === null) return parentPort.postMessage({ digest: hash.digest("hex") });
  hash.update(m);
  parentPort.postMessage({ hashed: m.byteLength });
});
`;

/**
 * One worker thread per algorithm, so hashing runs on other cores while the event loop moves bytes (on one core,
 * md5 + sha256 together are slower than a fast link). Each chunk is copied once per worker and transferred.
 */
class WorkerDigester implements Digester {
  private readonly lanes = (["md5", "sha256"] as const).map((algorithm) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: algorithm });
    const lane = { algorithm, worker, pending: 0, digest: null as ((hex: string) => void) | null };
    worker.on("message", (m: { hashed?: number; digest?: string }) => {
      if (m.hashed !== undefined) {
        lane.pending -= m.hashed;
        this.wake();
      } else if (m.digest !== undefined) {
        lane.digest?.(m.digest);
      }
    });
    worker.on("error", (err) => {
      this.failure ??= err;
      this.wake();
    });
    return lane;
  });
  private failure: unknown = null;
  private waiters: Array<() => void> = [];

  get backlog(): number {
    return Math.max(...this.lanes.map((l) => l.pending));
  }

  update(chunk: Uint8Array): void {
    for (const lane of this.lanes) {
      const copy = new Uint8Array(chunk);
      lane.pending += copy.byteLength;
      lane.worker.postMessage(copy, [copy.buffer]);
    }
  }

  async drained(bytes: number): Promise<void> {
    while (this.backlog > bytes && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  async digest() {
    const [md5, sha256] = await Promise.all(
      this.lanes.map(
        (lane) =>
          new Promise<string>((resolve, reject) => {
            lane.digest = resolve;
            lane.worker.once("error", reject);
            lane.worker.postMessage(null);
          }),
      ),
    );
    return { md5: md5 as string, sha256: sha256 as string };
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
