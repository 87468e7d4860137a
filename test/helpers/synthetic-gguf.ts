import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { GgmlType, GgufValueType, GgufWriter } from "../../lib/gguf";

const MiB = 1024 * 1024;

/** For upload tests: a valid GGUF (architecture llama, not runnable) of `tensors` F32 tensors of `elements` each, filled with varying bytes; returns its size and sha256. */
export async function writeSyntheticGguf(file: string, tensors: number, elements: number): Promise<{ file: string; size: number; sha256: string }> {
  const fh = await open(file, "w");
  const hash = createHash("sha256");
  try {
    const w = new GgufWriter(fh, { onWritten: (c) => void hash.update(c) });
    w.addKv("general.architecture", { type: GgufValueType.STRING, value: "llama" });
    w.addKv("general.name", { type: GgufValueType.STRING, value: "Upload Test" });
    for (let t = 0; t < tensors; t++) w.addTensorInfo(`blk.${t}.weight`, [elements], GgmlType.F32);
    await w.writeHeader();
    await w.writeKvData();
    await w.writeTensorInfo();
    const block = Buffer.alloc(4 * MiB);
    for (let t = 0; t < tensors; t++) {
      for (let done = 0; done < elements * 4; done += block.length) {
        block.fill(`${t}:${done}|`);
        await w.writeTensorData(`blk.${t}.weight`, block.subarray(0, Math.min(block.length, elements * 4 - done)));
      }
    }
    await w.finish({ sync: false });
    return { file, size: (await fh.stat()).size, sha256: hash.digest("hex") };
  } finally {
    await fh.close();
  }
}
