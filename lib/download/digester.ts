import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { Worker } from "node:worker_threads";

export type DigestAlgorithm = "md5" | "sha256";
export type Digests = Partial<Record<DigestAlgorithm, string>>;

/**
 * md5 and/or sha256 of a file that is being written, fed by the length of its contiguous prefix on disk. The digester
 * reads the prefix back itself, in order, with positional reads: the bytes were written moments earlier, so the
 * reads hit the page cache (no disk I/O), and no chunk is ever copied or posted between threads.
 */
export interface Digester {
  /** Bytes `[0, prefix)` are on disk. Never blocks; a smaller value than before is ignored. */
  advance(prefix: number): void;
  /** Resolves once all `total` bytes are hashed; call only after `advance(total)`. */
  digest(): Promise<Digests>;
  /** Stops the workers; call once the download ends, whatever the outcome. */
  close(): Promise<void>;
}

export interface DigesterParams {
  /** Path of the file being written (the workers open it themselves). */
  file: string;
  /** The writer's handle, used by the inline digester. */
  fh: FileHandle;
  total: number;
  /** What to compute: only what the source verifies against, so hashing costs one digest's CPU. */
  algorithms: readonly DigestAlgorithm[];
  /** A worker thread per algorithm, or the event loop. @default files of WORKER_MIN_BYTES and more take threads */
  threads?: boolean;
}

/** Files below this are hashed on the main thread: starting two workers would cost more than it saves. */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;

/**
 * The factory used by downloadFile. Replaceable only so bench/download can measure the engine with hashing
 * switched off (the "hashing on vs off" ratio); nothing in lib/ changes it.
 */
export const digesters = {
  create: (params: DigesterParams): Digester =>
    (params.threads ?? params.total >= WORKER_MIN_BYTES) ? new WorkerDigester(params) : new InlineDigester(params),
};

export function createDigester(params: DigesterParams): Digester {
  return digesters.create(params);
}

/** Hashes on the event loop with async positional reads (small files). */
class InlineDigester implements Digester {
  private readonly hashes: [DigestAlgorithm, ReturnType<typeof createHash>][];
  private readonly buf: Buffer;
  private pos = 0;
  private prefix = 0;
  private running: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly params: DigesterParams) {
    this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(params.total, 1 << 20)));
    this.hashes = params.algorithms.map((a) => [a, createHash(a)]);
  }

  advance(prefix: number): void {
    if (prefix > this.prefix) this.prefix = prefix;
    if (this.running || this.failure || this.pos >= this.prefix) return;
    this.running = this.catchUp()
      .catch((err: unknown) => {
        this.failure = err;
      })
      .finally(() => {
        this.running = null;
        if (!this.failure && this.pos < this.prefix) this.advance(this.prefix);
      });
  }

  async digest() {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
    if (this.pos !== this.params.total) throw new Error(`hasher stuck at byte ${this.pos} of ${this.params.total}`);
    return Object.fromEntries(this.hashes.map(([a, h]) => [a, h.digest("hex")])) as Digests;
  }

  async close(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
  }

  private async catchUp(): Promise<void> {
    while (this.pos < this.prefix) {
      const want = Math.min(this.prefix - this.pos, this.buf.length);
      const { bytesRead } = await this.params.fh.read(this.buf, 0, want, this.pos);
      if (bytesRead === 0) throw new Error(`unexpected end of partial file at byte ${this.pos}`);
      const chunk = this.buf.subarray(0, bytesRead);
      for (const [, h] of this.hashes) h.update(chunk);
      this.pos += bytesRead;
    }
  }
}

// Control block shared with each worker (BigInt64Array slots). The main thread publishes the prefix length and the
// "final" flag, then bumps SEQ (an Int32 view) and notifies; a worker with nothing to read sleeps on SEQ.
const PREFIX = 0;
const FINAL = 1;
const HASHED = 2;
const SEQ_INDEX = 6; // Int32 index of the 4th BigInt64 slot

// Plain CommonJS evaluated in the worker, so it runs the same under tsx, vitest and a bundled Next build.
// Synchronous reads and Atomics.wait are fine here: the worker has nothing else to do.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { algorithm, file, control } = workerData;
const big = new BigInt64Array(control);
const seq = new Int32Array(control);
const hash = require("node:crypto").createHash(algorithm);
const buf = Buffer.allocUnsafe(4 << 20);
const fd = fs.openSync(file, "r");
let pos = 0;
for (;;) {
  const s = Atomics.load(seq, ${SEQ_INDEX});
  const prefix = Number(Atomics.load(big, ${PREFIX}));
  if (pos < prefix) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, prefix - pos), pos);
    if (n === 0) throw new Error("unexpected end of partial file at byte " + pos);
    hash.update(buf.subarray(0, n));
    pos += n;
    Atomics.store(big, ${HASHED}, BigInt(pos));
    continue;
  }
  if (Atomics.load(big, ${FINAL}) === 1n) break;
  Atomics.wait(seq, ${SEQ_INDEX}, s);
}
fs.closeSync(fd);
parentPort.postMessage({ pos, digest: hash.digest("hex") });
`;

/**
 * One worker thread per algorithm, each reading the prefix from the page cache on its own, so the digests (md5 is
 * the slower one, ~0.7 GB/s) run on other cores while the event loop only moves bytes from sockets to disk.
 */
class WorkerDigester implements Digester {
  private readonly control = new SharedArrayBuffer(32);
  private readonly big = new BigInt64Array(this.control);
  private readonly seq = new Int32Array(this.control);
  private prefix = 0;
  private readonly lanes: Array<{ algorithm: DigestAlgorithm; worker: Worker; result: Promise<string> }>;

  constructor(private readonly params: DigesterParams) {
    this.lanes = params.algorithms.map((algorithm) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { algorithm, file: params.file, control: this.control },
      });
      const result = new Promise<string>((resolve, reject) => {
        worker.once("message", (m: { pos: number; digest: string }) =>
          m.pos === params.total ? resolve(m.digest) : reject(new Error(`hasher stopped at byte ${m.pos} of ${params.total}`)),
        );
        worker.once("error", reject);
        worker.once("exit", () => reject(new Error(`${algorithm} worker exited early`)));
      });
      result.catch(() => {}); // observed by digest(); a failure before then must not be an unhandled rejection
      return { algorithm, worker, result };
    });
  }

  advance(prefix: number): void {
    if (prefix <= this.prefix) return;
    this.prefix = prefix;
    Atomics.store(this.big, PREFIX, BigInt(prefix));
    this.wake();
  }

  async digest() {
    if (this.prefix !== this.params.total) throw new Error(`hasher stuck at byte ${this.prefix} of ${this.params.total}`);
    Atomics.store(this.big, FINAL, 1n);
    this.wake();
    const values = await Promise.all(this.lanes.map((l) => l.result));
    return Object.fromEntries(this.lanes.map((l, i) => [l.algorithm, values[i]])) as Digests;
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }

  private wake(): void {
    Atomics.add(this.seq, SEQ_INDEX, 1);
    Atomics.notify(this.seq, SEQ_INDEX);
  }
}
