import { mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import { convertModel } from "../../lib/convert";
import { GgufValueType, GgufWriter, readGguf, type GgufValue } from "../../lib/gguf";
import { TINY_HF_DIR } from "../helpers/tiny-gguf";

/** The quant files of the test GGUF repo, each a real conversion of the tiny fixture to that type. */
export const GGUF_REPO_QUANTS = { F16: "f16", BF16: "bf16", Q8_0: "q8_0", Q4_0: "q4_0" } as const;
export const GGUF_REPO_SPLIT = ["tiny-llama-split-00001-of-00002.gguf", "tiny-llama-split-00002-of-00002.gguf"];

/**
 * Writes `src` as a 2-way split set the way llama.cpp's gguf-split does: the first part carries all metadata, every
 * part carries `split.no` (u16), `split.count` (u16) and `split.tensors.count` (i32), the tensors are divided
 * between the parts (offsets relative to each part's own data section).
 */
export async function writeSplit(src: string, outFiles: string[]): Promise<void> {
  const g = await readGguf({ file: src });
  const bytes = await readFile(src);
  const half = Math.ceil(g.tensors.length / 2);
  const groups = [g.tensors.slice(0, half), g.tensors.slice(half)];
  for (const [i, tensors] of groups.entries()) {
    const fh = await open(outFiles[i]!, "w");
    try {
      const w = new GgufWriter(fh, { alignment: g.alignment });
      if (i === 0) for (const [key, v] of Object.entries(g.metadata)) w.addKv(key, v as GgufValue);
      w.addKv("split.no", { type: GgufValueType.UINT16, value: i });
      w.addKv("split.count", { type: GgufValueType.UINT16, value: groups.length });
      w.addKv("split.tensors.count", { type: GgufValueType.INT32, value: g.tensors.length });
      for (const t of tensors) w.addTensorInfo(t.name, t.shape, t.type);
      await w.writeHeader();
      await w.writeKvData();
      await w.writeTensorInfo();
      for (const t of tensors) await w.writeTensorData(t.name, bytes.subarray(t.absoluteOffset, t.absoluteOffset + t.bytes));
      await w.finish({ sync: false });
    } finally {
      await fh.close();
    }
  }
}

/**
 * A bartowski-style GGUF repo of the tiny fixture in `dir`: `tiny-llama-<QUANT>.gguf` for F16, BF16, Q8_0 and Q4_0
 * (each converted by our converter to that type) and the Q8_0 conversion as a 2-way split set.
 */
export async function buildHfGgufRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [tag, type] of Object.entries(GGUF_REPO_QUANTS)) {
    await convertModel({ inputDir: TINY_HF_DIR, outFile: path.join(dir, `tiny-llama-${tag}.gguf`), type, name: "Tiny Llama", durable: false });
  }
  await writeSplit(path.join(dir, "tiny-llama-Q8_0.gguf"), GGUF_REPO_SPLIT.map((f) => path.join(dir, f)));
}
