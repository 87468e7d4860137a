import type { FileHandle } from "node:fs/promises";
import { createDigester, type Digester } from "./digester";
import type { DownloadState } from "./parts";

/** Unhashed bytes allowed in flight to the hash workers before the memory path yields to catch-up reads. */
const MAX_BACKLOG = 32 * 1024 * 1024;

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
 * Pieces are fetched in file order (planParts), so the contiguous prefix trails the download by a few pieces and
 * the catch-up reads stay small. Node cannot serialize a hash's internal state, so after a restart the hasher
 * re-reads the prefix already on disk: a local sequential read, never a refetch. The sidecar therefore persists
 * parts only, not the hasher. The hashing itself runs on worker threads for large files (see digester.ts); when
 * they fall behind, chunks are left on disk for the catch-up path instead of piling up in memory.
 */
export class InOrderHasher {
  private pos = 0;
  private readonly digester: Digester;
  private running = false;
  private pending: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly buf = Buffer.allocUnsafe(1 << 20);

  constructor(
    private readonly fh: FileHandle,
    private readonly state: DownloadState,
  ) {
    this.digester = createDigester(state.total);
  }

  /** Called right after bytes `[offset, offset + chunk.length)` are written to disk. */
  onWritten(offset: number, chunk: Uint8Array): void {
    if (!this.running && offset === this.pos && this.digester.backlog <= MAX_BACKLOG) {
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
    return this.digester.digest();
  }

  /** Stops the hash workers; call once the download ends, whatever the outcome. */
  close(): Promise<void> {
    return this.digester.close();
  }

  private update(chunk: Uint8Array): void {
    this.digester.update(chunk);
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
      for (;;) {
        await this.digester.drained(MAX_BACKLOG);
        const end = this.writtenEnd();
        if (end <= this.pos) return;
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
