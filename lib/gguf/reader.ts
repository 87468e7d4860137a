import { open, type FileHandle } from "node:fs/promises";
import { GGML_QUANT_SIZES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgmlType, GgufValueType } from "./constants";
import { GgufError } from "./errors";
import type { GgufScalar, GgufTensorInfo } from "./types";

export type GgufReadValue = {
  type: GgufValueType;
  /** Item type for arrays. */
  itemType?: GgufValueType;
  value: GgufScalar | GgufScalar[];
};

export type GgufFile = {
  version: number;
  /** Metadata in file order, excluding the header's version/tensor_count/kv_count. */
  metadata: Record<string, GgufReadValue>;
  tensors: (GgufTensorInfo & { absoluteOffset: number })[];
  dataOffset: number;
  alignment: number;
  fileSize: number;
};

// llama.cpp's GGML_MAX_DIMS.
const MAX_DIMS = 4;
// Fewest bytes each record can take, so a declared count is checked against the bytes left before anything is allocated.
const MIN_KV_BYTES = 8 + 4 + 1; // key length, value type, a one-byte value
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8; // name length, n_dims, type, offset
const SCALAR_BYTES: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1, [GgufValueType.INT8]: 1, [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2, [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4, [GgufValueType.INT32]: 4, [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8, [GgufValueType.INT64]: 8, [GgufValueType.FLOAT64]: 8,
  [GgufValueType.STRING]: 8,
};
// Far above real files (vocabularies and merges of a few 100k entries, a few 1000 tensors), and bounding what a file
// large enough to hold more would make us allocate: a JS value per item is several times the item's bytes.
const MAX_ARRAY_ITEMS = 4_000_000;
const MAX_TENSORS = 1_000_000;
const CHUNK = 1 << 20;

/**
 * Sequential little-endian reads over a file handle through a small window; every read past the end of the file,
 * and every declared length larger than what is left of the file, is a GgufError instead of zeros or a huge allocation.
 */
class Cursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly file: string,
  ) {}

  fail(msg: string): never {
    throw new GgufError("invalid_gguf", msg, this.file);
  }
  get left(): number {
    return this.size - this.pos;
  }
  /** Refuses `count` records of at least `minBytes` each when the rest of the file cannot hold them. */
  bound(count: bigint, minBytes: number, what: string): number {
    if (count > BigInt(Math.floor(this.left / minBytes))) {
      this.fail(`truncated: ${what} is ${count} but only ${this.left} bytes are left of the file's ${this.size}`);
    }
    return Number(count);
  }
  private async take(n: number, what: string): Promise<number> {
    if (n > this.left) this.fail(`truncated: ${what} at byte ${this.pos} needs ${n} bytes but the file has ${this.size}`);
    const rel = this.pos - this.bufStart;
    if (rel < 0 || rel + n > this.buf.length) {
      const len = Math.min(Math.max(n, CHUNK), this.left);
      this.buf = Buffer.alloc(len);
      const { bytesRead } = await this.fh.read(this.buf, 0, len, this.pos);
      if (bytesRead < n) this.fail(`truncated: ${what} at byte ${this.pos} (the file shrank while being read)`);
      this.bufStart = this.pos;
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }
  async u32(what: string): Promise<number> {
    const at = await this.take(4, what);
    return this.buf.readUInt32LE(at);
  }
  async u64(what: string): Promise<bigint> {
    const at = await this.take(8, what);
    return this.buf.readBigUInt64LE(at);
  }
  async string(what: string): Promise<string> {
    const n = this.bound(await this.u64(`${what} length`), 1, `the length of ${what}`);
    const at = await this.take(n, what);
    return this.buf.toString("utf8", at, at + n);
  }
  async scalar(type: GgufValueType, what: string): Promise<GgufScalar> {
    if (type === GgufValueType.STRING) return this.string(what);
    const n = SCALAR_BYTES[type];
    if (n === undefined) this.fail(`${what} has unknown value type ${type}`);
    const at = await this.take(n, what);
    const b = this.buf;
    switch (type) {
      case GgufValueType.UINT8: return b.readUInt8(at);
      case GgufValueType.INT8: return b.readInt8(at);
      case GgufValueType.BOOL: return b.readUInt8(at) !== 0;
      case GgufValueType.UINT16: return b.readUInt16LE(at);
      case GgufValueType.INT16: return b.readInt16LE(at);
      case GgufValueType.UINT32: return b.readUInt32LE(at);
      case GgufValueType.INT32: return b.readInt32LE(at);
      case GgufValueType.FLOAT32: return b.readFloatLE(at);
      case GgufValueType.UINT64: return b.readBigUInt64LE(at);
      case GgufValueType.INT64: return b.readBigInt64LE(at);
      default: return b.readDoubleLE(at);
    }
  }
}

/** Reads a local GGUF file's header, metadata and tensor table (never the tensor data), checked against the file's size. */
export async function readGguf(params: { file: string }): Promise<GgufFile> {
  const fh = await open(params.file, "r");
  try {
    return await readFrom(new Cursor(fh, (await fh.stat()).size, params.file));
  } finally {
    await fh.close();
  }
}

async function readFrom(c: Cursor): Promise<GgufFile> {
  if (c.size < 4 || (await c.u32("magic")) !== GGUF_MAGIC) c.fail("not a GGUF file (no GGUF magic number)");
  const version = await c.u32("version");
  if (version !== 2 && version !== 3) c.fail(`GGUF version ${version} is not supported (2 or 3)`);
  const tensorCount = await c.u64("tensor count");
  const kvCount = c.bound(await c.u64("metadata count"), MIN_KV_BYTES, "the header's metadata count");
  // Checked once more after the metadata, against what is left then; this refuses 9e18 before anything is read.
  c.bound(tensorCount, MIN_TENSOR_INFO_BYTES, "the header's tensor count");

  const metadata: Record<string, GgufReadValue> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string(`metadata key ${i}`);
    if (Object.hasOwn(metadata, key)) c.fail(`metadata key ${key} appears twice`);
    const type = (await c.u32(`type of ${key}`)) as GgufValueType;
    if (type !== GgufValueType.ARRAY) {
      metadata[key] = { type, value: await c.scalar(type, key) };
      continue;
    }
    const itemType = (await c.u32(`item type of ${key}`)) as GgufValueType;
    if (itemType === GgufValueType.ARRAY) c.fail(`${key}: nested arrays are not supported`);
    const itemBytes = SCALAR_BYTES[itemType] ?? c.fail(`${key} has unknown item type ${itemType}`);
    const count = c.bound(await c.u64(`length of ${key}`), itemBytes, `the length of array ${key}`);
    if (count > MAX_ARRAY_ITEMS) c.fail(`array ${key} has ${count} items, over the limit of ${MAX_ARRAY_ITEMS}`);
    const value: GgufScalar[] = [];
    for (let j = 0; j < count; j++) value.push(await c.scalar(itemType, `${key}[${j}]`));
    metadata[key] = { type, itemType, value };
  }

  const alignmentEntry = metadata["general.alignment"];
  const alignment = typeof alignmentEntry?.value === "number" ? alignmentEntry.value : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) c.fail(`general.alignment ${alignment} is not a power of two`);

  const count = c.bound(tensorCount, MIN_TENSOR_INFO_BYTES, "the header's tensor count");
  if (count > MAX_TENSORS) c.fail(`the header declares ${count} tensors, over the limit of ${MAX_TENSORS}`);
  const infos: { name: string; shape: number[]; type: GgmlType; offset: bigint }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const name = await c.string(`tensor name ${i}`);
    if (names.has(name)) c.fail(`tensor ${name} appears twice`);
    names.add(name);
    const nDims = await c.u32(`dimension count of tensor ${name}`);
    if (nDims > MAX_DIMS) c.fail(`tensor ${name} has ${nDims} dimensions (at most ${MAX_DIMS})`);
    const shape: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const ne = await c.u64(`dimension ${d} of tensor ${name}`);
      if (ne > BigInt(Number.MAX_SAFE_INTEGER)) c.fail(`tensor ${name} dimension ${d} is ${ne}, larger than any file`);
      shape.push(Number(ne));
    }
    const type = (await c.u32(`type of tensor ${name}`)) as GgmlType;
    infos.push({ name, shape, type, offset: await c.u64(`offset of tensor ${name}`) });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const dataBytes = c.size - dataOffset;

  const tensors = infos.map((t) => {
    const sizes = GGML_QUANT_SIZES[t.type];
    if (!sizes) c.fail(`tensor ${t.name} has unknown GGML type ${t.type}`);
    // Each dimension is at most the file's size here, so the product cannot pass 2^53 before it passes the file.
    let elements = 1;
    for (const ne of t.shape) {
      elements *= ne;
      if (elements > dataBytes * sizes[0]) c.fail(`tensor ${t.name} extends past the end of the file (truncated?): shape [${t.shape}] needs more than the file's ${c.size} bytes`);
    }
    if (elements % sizes[0] !== 0) c.fail(`tensor ${t.name}: ${elements} elements is not a multiple of ${GgmlType[t.type]}'s block size ${sizes[0]}`);
    const bytes = (elements / sizes[0]) * sizes[1];
    if (t.offset % BigInt(alignment) !== 0n) c.fail(`tensor ${t.name} offset ${t.offset} is not a multiple of the alignment ${alignment}`);
    if (t.offset + BigInt(bytes) > BigInt(Math.max(dataBytes, 0))) {
      c.fail(`tensor ${t.name} extends past the end of the file (truncated?): data at ${t.offset}+${bytes} but the data section has ${Math.max(dataBytes, 0)} bytes`);
    }
    const offset = Number(t.offset);
    return { name: t.name, shape: t.shape, type: t.type, bytes, offset, absoluteOffset: dataOffset + offset };
  });
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    if (byOffset[i]!.offset < prev.offset + prev.bytes) c.fail(`tensors ${prev.name} and ${byOffset[i]!.name} overlap`);
  }
  return { version, metadata, tensors, dataOffset, alignment, fileSize: c.size };
}
