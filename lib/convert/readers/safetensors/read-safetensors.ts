import { open } from "node:fs/promises";
import { ConvertError } from "../../errors";
import { DTYPE_BYTES, type SourceDtype, type SourceTensor } from "../types";

/** Headers above this are refused before allocating (the reference implementation caps at 100 MB too). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const KNOWN_DTYPES = new Set(["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F64", "F8_E4M3", "F8_E5M2"]);

function fail(file: string, message: string): never {
  throw new ConvertError("invalid_safetensors", message, file);
}

function isDtype(v: unknown): v is SourceDtype {
  return v === "F32" || v === "F16" || v === "BF16";
}

/** Reads one .safetensors header and checks every tensor lies inside the file without overlapping another. */
export async function readSafetensors(params: { file: string }): Promise<SourceTensor[]> {
  const { file } = params;
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    if (size < 8) fail(file, `truncated: ${size} bytes, shorter than the 8-byte header length`);
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const headerLen = lenBuf.readBigUInt64LE(0);
    if (headerLen > BigInt(size - 8)) fail(file, `header length ${headerLen} runs past the end of the ${size}-byte file`);
    if (headerLen > BigInt(MAX_HEADER_BYTES)) fail(file, `header length ${headerLen} exceeds ${MAX_HEADER_BYTES} bytes`);
    const n = Number(headerLen);
    const headerBuf = Buffer.alloc(n);
    await fh.read(headerBuf, 0, n, 8);
    let header: unknown;
    try {
      header = JSON.parse(headerBuf.toString("utf8"));
    } catch (e) {
      fail(file, `header is not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header)) fail(file, "header is not a JSON object");

    const dataStart = 8 + n;
    const dataSize = size - dataStart;
    const tensors: (SourceTensor & { begin: number; end: number })[] = [];
    for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
      if (name === "__metadata__") continue;
      const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (typeof e !== "object" || e === null) fail(file, `tensor ${name}: entry is not an object`);
      if (!isDtype(e.dtype)) {
        if (typeof e.dtype === "string" && KNOWN_DTYPES.has(e.dtype)) {
          throw new ConvertError("unsupported_dtype", `tensor ${name}: dtype ${e.dtype} is not supported (F32, F16, BF16)`, file);
        }
        fail(file, `tensor ${name}: unknown dtype ${JSON.stringify(e.dtype)}`);
      }
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(file, `tensor ${name}: bad shape`);
      const offsets = e.data_offsets;
      if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
        fail(file, `tensor ${name}: bad data_offsets`);
      }
      const [begin, end] = offsets as [number, number];
      const bytes = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype];
      if (end < begin || end - begin !== bytes) {
        fail(file, `tensor ${name}: data_offsets [${begin}, ${end}] do not match shape [${shape.join(", ")}] of ${e.dtype}`);
      }
      if (end > dataSize) {
        fail(file, `tensor ${name}: data_offsets end ${end} is beyond the ${dataSize} data bytes (truncated or out of range)`);
      }
      tensors.push({ name, dtype: e.dtype, shape: shape as number[], file, offset: dataStart + begin, bytes, begin, end });
    }
    const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (cur.begin < prev.end) fail(file, `tensors ${prev.name} and ${cur.name} overlap`);
    }
    return tensors.map(({ begin: _b, end: _e, ...t }) => t);
  } finally {
    await fh.close();
  }
}
