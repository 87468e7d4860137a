import type { FileHandle } from "node:fs/promises";
import { createDigester, type DigestAlgorithm, type Digester, type Digests } from "./digester";
import type { DownloadState } from "./parts";

/**
 * The file's digests (those the source verifies against), computed while it downloads, so verification needs no
 * second full read.
 *
 * Hashes must consume bytes in file order, but parts arrive in parallel. The hasher therefore follows the
 * contiguous prefix on disk: after every write the engine calls `onWritten()`, which works out how far the file is
 * complete from byte 0 (all finished parts, plus the written head of the first unfinished one) and hands that length
 * to the digester. The digester reads `[hashed, prefix)` back with positional reads and hashes it, on worker
 * threads for large files (digester.ts). Those bytes were written moments earlier, so the reads come from the page
 * cache: no chunk is held in memory for the hasher or copied between threads, and the download never waits for the
 * hash. Pieces are fetched in file order (planParts), so the prefix trails the download by only a few pieces, and
 * when the last byte lands little is left to hash. md5 is the slow one (~0.7 GB/s on one core); on a link faster
 * than that, the hash falls behind and finishes after the last byte, reading pages that may by then have left the
 * cache. That costs time at the end, never memory: nothing waits in a queue for the hasher.
 *
 * Why not hash the received chunks themselves: with parallel parts most bytes do not arrive at the hash position
 * (they belong to pieces ahead of it), so they would have to be held in memory or read back anyway, and posting
 * chunks to worker threads costs a copy per algorithm plus the garbage collection of those copies. Measured with
 * bench/download/profile.ts: reading back from the page cache costs about 0.05 s of CPU per GiB, while the event
 * loop's time per GiB fell from ~1.4 s (copies to workers, per-chunk promises, 256 KiB writes) to ~0.7 s.
 *
 * Node cannot serialize a hash's internal state, so after a restart the hasher re-reads the prefix an earlier run
 * left on disk (`kick()`): a local sequential read concurrent with the download, never a refetch. The sidecar
 * therefore persists parts only, not the hasher.
 */
export class InOrderHasher {
  private readonly digester: Digester;

  constructor(
    fh: FileHandle,
    private readonly state: DownloadState,
    file: string,
    algorithms: readonly DigestAlgorithm[],
  ) {
    this.digester = createDigester({ file, fh, total: state.total, algorithms });
  }

  /** Called after bytes are written to disk and counted in their part's `done`. */
  onWritten(): void {
    this.digester.advance(this.prefix());
  }

  /** Starts hashing what an earlier run left on disk. */
  kick(): void {
    this.onWritten();
  }

  /** Resolves with the digests once every byte of the (complete) file is hashed. */
  async digest(): Promise<Digests> {
    const prefix = this.prefix();
    if (prefix < this.state.total) {
      throw new Error(`hasher stuck at byte ${prefix} of ${this.state.total}: file incomplete`);
    }
    this.digester.advance(prefix);
    return this.digester.digest();
  }

  /** Stops the hash workers; call once the download ends, whatever the outcome. */
  close(): Promise<void> {
    return this.digester.close();
  }

  /** Length of the part of the file that is on disk without a gap from byte 0 (parts tile the file in order). */
  private prefix(): number {
    let end = 0;
    for (const p of this.state.parts) {
      if (p.start !== end) break;
      end = p.start + p.done;
      if (end < p.end) break;
    }
    return end;
  }
}
