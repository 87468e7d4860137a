import type { FileHandle } from "node:fs/promises";
import { createDigester, type Digester } from "../download";

/**
 * The sha256 of a GGUF being written out of order (the header, worker threads' chunks, kernel-copied tensors),
 * computed while it is written by the download engine's digester (lib/download/digester.ts): regions are declared in
 * file order and marked as they finish, and the digester follows the contiguous prefix, reading it back from the page
 * cache. So the file is read once and the hash runs alongside the conversion, not after it. It hashes on the event
 * loop, which mostly waits here: a thread of its own added about 12 MiB to the conversion's peak RSS (bench/convert,
 * 132 vs 120 MiB) against the 128 MiB the converter keeps to.
 */
export class OutputDigest {
  private readonly digester: Digester;
  private readonly ends: number[] = [];
  private readonly finished: boolean[] = [];
  /** First region not yet written. */
  private next = 0;

  constructor(fh: FileHandle, file: string, total: number) {
    this.digester = createDigester({ file, fh, total, algorithms: ["sha256"], threads: false });
  }

  /** Declares the next region, in file order; the returned function marks it written. */
  expect(offset: number, length: number): () => void {
    const end = this.ends.at(-1) ?? 0;
    if (offset !== end) throw new Error(`output digest: region at ${offset}, expected ${end}`);
    const i = this.ends.push(offset + length) - 1;
    this.finished.push(false);
    return () => {
      this.finished[i] = true;
      while (this.finished[this.next]) this.next++;
      if (this.next > 0) this.digester.advance(this.ends[this.next - 1]!);
    };
  }

  /** The file's sha256, once every region is written and hashed. */
  async result(): Promise<string> {
    return (await this.digester.digest()).sha256!;
  }

  /** Stops the digester's worker; call once writing ends, whatever the outcome. */
  close(): Promise<void> {
    return this.digester.close();
  }
}
