import { open, type FileHandle } from "node:fs/promises";
import { ConvertError } from "../errors";

/** Open handles to checkpoint files, for positional reads of tensor rows. */
export class FileCache {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  /** Fills `into` with the bytes at `position`. */
  async read(file: string, position: number, into: Uint8Array): Promise<void> {
    let fh = this.handles.get(file);
    if (!fh) {
      fh = open(file, "r");
      this.handles.set(file, fh);
    }
    const handle = await fh;
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
      if (bytesRead === 0) throw new ConvertError("invalid_tensors", `unexpected end of file at byte ${position + done} (truncated?)`, file);
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
  }
}
