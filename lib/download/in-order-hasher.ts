import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import type { DownloadState } from "./parts";

/**
 * md5 + sha256 of the file, computed while it downloads, so verification needs no second full read.
 *
 * Hashes must consume bytes in file order, but parts arrive in parallel. One hasher keeps a position `pos`:
 * - Memory path: when a part writes a chunk starting exactly at `pos` (always true for the part the hasher is
 *   riding, e.g. part 0 from the start), the chunk is hashed from memory right after its write lands.
 * - Catch-up path: when the part at `pos` has bytes on disk beyond `pos` (a later part that ran ahead while an
 *   earlier one was still downloading, or the prefix left by a previous run), the hasher reads them back with
 *   positional reads (page cache in practice) until it reaches that part's write frontier, then rides it from
 *   memory again. Catch-up runs concurrently with the download, so when the last byte lands there is little or
 *   nothing left to hash.
 * Node cannot serialize a hash's internal state, so after a restart the hasher re-reads the prefix already on
 * disk: a local sequential read, never a refetch. The sidecar therefore persists parts only, not the hasher.
 */
export class InOrderHasher {
  private pos = 0;
  private readonly md5: Hash = createHash("md5");
  private readonly sha256: Hash = createHash("sha256");
  private running = false;
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly buf = Buffer.allocUnsafe(1 << 20);

  constructor(
    private readonly fh: FileHandle,
    private readonly state: DownloadState,
  ) {}

  /** Called right after bytes `[offset, offset + chunk.length)` are written to disk. */
  onWritten(offset: number, chunk: Uint8Array): void {
    if (!this.running && offset === this.pos) {
      this.update(chunk);
      return;
    }
    this.kick();
  }

  /** Starts a catch-up read if bytes at `pos` are already on disk. */
  kick(): void {
    if (this.running || this.failure || this.writtenEnd() <= this.pos) return;
    this.running = true;
    this.pending = this.catchUp().catch((err: unknown) => {
      this.failure = err;
    });
  }

  /** Resolves with the digests once every byte of the (complete) file is hashed. */
  async digest(): Promise<{ md5: string; sha256: string }> {
    while (this.pos < this.state.total) {
      this.kick();
      await this.pending;
      if (this.failure) throw this.failure;
      if (!this.running && this.writtenEnd() <= this.pos && this.pos < this.state.total) {
        throw new Error(`hasher stuck at byte ${this.pos} of ${this.state.total}: file incomplete`);
      }
    }
    return { md5: this.md5.digest("hex"), sha256: this.sha256.digest("hex") };
  }

  private update(chunk: Uint8Array): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.pos += chunk.length;
  }

  /** End of the bytes on disk that are contiguous from `pos` within the part containing it. */
  private writtenEnd(): number {
    for (const p of this.state.parts) {
      if (this.pos >= p.start && this.pos < p.end) return p.start + p.done;
    }
    return this.pos;
  }

  private async catchUp(): Promise<void> {
    try {
      for (let end = this.writtenEnd(); end > this.pos; end = this.writtenEnd()) {
        const want = Math.min(end - this.pos, this.buf.length);
        const { bytesRead } = await this.fh.read(this.buf, 0, want, this.pos);
        if (bytesRead === 0) throw new Error(`unexpected end of partial file at byte ${this.pos}`);
        this.update(this.buf.subarray(0, bytesRead));
      }
    } finally {
      // Cleared synchronously with the loop's last check, so the next write at `pos` takes the memory path.
      this.running = false;
    }
  }
}
