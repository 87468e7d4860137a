import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { convertModel } from "./convert-model";
import { copyRange, nativeCopyFileRange, type CopyFileRange } from "./copy-file-range";
import { ConvertError } from "./errors";
import { quantizeGguf } from "./quantize-gguf";
import type { FileType } from "./quants";
import type { SourceDtype } from "./readers";
import { loadTensors, writeSafetensors, writeTorchZip, type TensorData } from "../../test/helpers/checkpoint-writers";
import { FIXTURE } from "../../test/helpers/gguf-fixtures";

// The writer asks this module for the addon; each test decides what it gets: the real addon, one the kernel refuses,
// or none (the addon not built), which is the path every tensor took before copy_file_range.
vi.mock("./copy-file-range", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./copy-file-range")>();
  return { ...actual, nativeCopyFileRange: vi.fn(actual.nativeCopyFileRange) };
});
const { nativeCopyFileRange: realAddon } = await vi.importActual<typeof import("./copy-file-range")>("./copy-file-range");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-copy-range-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  vi.mocked(nativeCopyFileRange).mockReset();
});

const refusing = (code: string) => vi.fn<CopyFileRange>(() => Promise.reject(Object.assign(new Error(`copy_file_range: ${code}`), { code })));

/** The real addon, counting its calls. */
function counted(): ReturnType<typeof vi.fn<CopyFileRange>> {
  const addon = realAddon();
  if (!addon) throw new Error("the copy_file_range addon is not built (npm run postinstall)");
  return vi.fn<CopyFileRange>(addon);
}

/** The fixture's F16 tensors in `dtype`: widened exactly to F32, or F32's top half for BF16. */
function inDtype(t: TensorData, dtype: SourceDtype): TensorData {
  if (dtype === "F16") return t;
  const n = t.data.length / 2;
  const f32 = Buffer.alloc(n * 4);
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.length);
  for (let i = 0; i < n; i++) f32.writeFloatLE(half(view.getUint16(i * 2, true)), i * 4);
  if (dtype === "F32") return { ...t, dtype, data: f32 };
  const bf16 = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) bf16.writeUInt16LE(f32.readUInt16LE(i * 4 + 2), i * 2);
  return { ...t, dtype, data: bf16 };
}

function half(bits: number): number {
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
  return bits & 0x8000 ? -v : v;
}

/** An HF checkpoint folder of the fixture's weights in `dtype`, as safetensors or as pytorch_model.bin. */
async function checkpoint(dtype: SourceDtype, form: "safetensors" | "bin"): Promise<string> {
  const dir = path.join(tmp, `${dtype}-${form}`);
  await mkdir(dir, { recursive: true });
  for (const f of ["config.json", "generation_config.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"]) {
    await copyFile(path.join(FIXTURE, "hf", f), path.join(dir, f));
  }
  const tensors = (await loadTensors(path.join(FIXTURE, "hf/model.safetensors"))).map((t) => inDtype(t, dtype));
  if (form === "safetensors") await writeSafetensors(path.join(dir, "model.safetensors"), tensors);
  else await writeTorchZip({ file: path.join(dir, "pytorch_model.bin"), tensors });
  return dir;
}

/** Converts `inputDir` with the given addon (null: not built) and returns the file's bytes and checks the reported sha256. */
async function convertWith(addon: CopyFileRange | null, inputDir: string, type: FileType, name: string) {
  vi.mocked(nativeCopyFileRange).mockReturnValue(addon);
  const outFile = path.join(tmp, `${name}.gguf`);
  const r = await convertModel({ inputDir, outFile, type, name: "Tiny Llama", durable: false });
  const bytes = await readFile(outFile);
  await rm(outFile);
  expect(r.sha256, name).toBe(createHash("sha256").update(bytes).digest("hex"));
  return bytes;
}

describe("unchanged tensors by copy_file_range", () => {
  const cases: [string, SourceDtype | "meta", FileType][] = [
    ["HF safetensors F16 → f16", "F16", "f16"],
    ["HF safetensors BF16 → bf16", "BF16", "bf16"],
    ["HF safetensors F32 → f32", "F32", "f32"],
    ["HF safetensors F16 → q8_0 (F16 fallbacks, F32 norms)", "F16", "q8_0"],
    ["Meta consolidated.00.pth F16 → f16", "meta", "f16"],
  ];
  it.each(cases)("%s: the same bytes copied, refused (EXDEV, EOPNOTSUPP) or without the addon", async (label, dtype, type) => {
    const forms = dtype === "meta" ? [path.join(FIXTURE, "meta")] : [await checkpoint(dtype, "safetensors"), await checkpoint(dtype, "bin")];
    for (const dir of forms) {
      const plain = await convertWith(null, dir, type, `${label}-plain`);
      const addon = counted();
      expect((await convertWith(addon, dir, type, `${label}-copied`)).equals(plain), `${dir} copied`).toBe(true);
      // f16, bf16 and f32 copy every tensor but q/k (un-permuted) and the norms (F32 from F16); q8_0 the F16 fallbacks.
      expect(addon.mock.calls.length, dir).toBeGreaterThan(0);
      for (const code of ["EXDEV", "EOPNOTSUPP"]) {
        const refused = refusing(code);
        expect((await convertWith(refused, dir, type, `${label}-${code}`)).equals(plain), `${dir} ${code}`).toBe(true);
        expect(refused).toHaveBeenCalled();
      }
    }
  });

  it("GGUF → GGUF f16 copies the F16 GGUF's tensors: the same bytes as without the addon", async () => {
    const f16 = path.join(tmp, "source-f16.gguf");
    vi.mocked(nativeCopyFileRange).mockReturnValue(null);
    await convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile: f16, type: "f16", durable: false });
    const outputs = [];
    for (const addon of [null, counted(), refusing("EXDEV")]) {
      vi.mocked(nativeCopyFileRange).mockReturnValue(addon);
      const outFile = path.join(tmp, "requantized.gguf");
      await quantizeGguf({ inFile: f16, outFile, type: "f16", durable: false });
      outputs.push(await readFile(outFile));
      await rm(outFile);
      if (addon) expect(addon).toHaveBeenCalled();
    }
    expect(outputs[1]!.equals(outputs[0]!)).toBe(true);
    expect(outputs[2]!.equals(outputs[0]!)).toBe(true);
  });

  it("a failure that is not a refusal fails the conversion and leaves nothing", async () => {
    const out = path.join(tmp, "failed");
    await mkdir(out);
    vi.mocked(nativeCopyFileRange).mockReturnValue(() => Promise.reject(Object.assign(new Error("copy_file_range: I/O error"), { code: "EIO" })));
    await expect(convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile: path.join(out, "x.gguf"), type: "f16", durable: false })).rejects.toMatchObject({ code: "EIO" });
    expect(await readdir(out)).toEqual([]);
  });
});

describe("copyRange", () => {
  it("copies a range at an offset; a refusal is returned, not thrown; a short source is an error naming the file", async () => {
    const src = path.join(tmp, "range-src");
    const data = Buffer.alloc(3 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    await writeFile(src, data);
    const [fh, out] = await Promise.all([open(src, "r"), open(path.join(tmp, "range-out"), "w+")]);
    try {
      const r = { fh, file: src, offset: 17, length: data.length - 100, outOffset: 32 };
      expect(await copyRange(r, out.fd, counted())).toBeNull();
      expect((await readFile(path.join(tmp, "range-out"))).subarray(32).equals(data.subarray(17, data.length - 83))).toBe(true);

      expect(await copyRange(r, out.fd, refusing("EXDEV"))).toMatchObject({ refused: { code: "EXDEV" } });
      await expect(copyRange(r, out.fd, () => Promise.reject(Object.assign(new Error("EIO"), { code: "EIO" })))).rejects.toMatchObject({ code: "EIO" });
      const short = { ...r, length: data.length };
      await expect(copyRange(short, out.fd, counted())).rejects.toSatisfy((e) => e instanceof ConvertError && e.code === "invalid_tensors" && e.file === src);
    } finally {
      await Promise.all([fh.close(), out.close()]);
    }
  });
});
