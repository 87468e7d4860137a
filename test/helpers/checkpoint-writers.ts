// Test-only writers for the checkpoint formats the converter reads, to build GQA, sharded and malformed inputs.
import { readFile, writeFile } from "node:fs/promises";
import { readPytorchZip, readSafetensors, type SourceDtype } from "../../lib/convert/readers";

export type TensorData = { name: string; dtype: SourceDtype; shape: number[]; data: Buffer };

const STORAGE: Record<SourceDtype, string> = { F16: "HalfStorage", F32: "FloatStorage", BF16: "BFloat16Storage" };

/** Tensors of a fixture file with their bytes. */
export async function loadTensors(file: string): Promise<TensorData[]> {
  const list = file.endsWith(".safetensors") ? await readSafetensors({ file }) : await readPytorchZip({ file });
  const bytes = await readFile(file);
  return list.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: bytes.subarray(t.offset, t.offset + t.bytes) }));
}

export async function writeSafetensors(file: string, tensors: TensorData[]): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  await writeFile(file, Buffer.concat([len, json, ...tensors.map((t) => t.data)]));
}

/** Pickle opcodes, protocol 2, as torch.save writes them. */
export const pickle = {
  proto: () => Buffer.from([0x80, 2]),
  global: (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`, "latin1"),
  str: (s: string) => {
    const b = Buffer.from(s, "utf8");
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    return Buffer.concat([h, b]);
  },
  int: (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    return b;
  },
  op: (...codes: number[]) => Buffer.from(codes),
};
const MARK = 0x28, TUPLE = 0x74, EMPTY_DICT = 0x7d, SETITEMS = 0x75, STOP = 0x2e, BINPERSID = 0x51, REDUCE = 0x52;
const NEWFALSE = 0x89, EMPTY_TUPLE = 0x29;

function tuple(items: Buffer[]): Buffer {
  return Buffer.concat([pickle.op(MARK), ...items, pickle.op(TUPLE)]);
}

/** The data.pkl torch.save writes for a dict of contiguous tensors, storage i holding tensor i. */
export function stateDictPickle(tensors: TensorData[]): Buffer {
  const parts: Buffer[] = [pickle.proto(), pickle.op(EMPTY_DICT, MARK)];
  tensors.forEach((t, i) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const stride = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    parts.push(
      pickle.str(t.name),
      pickle.global("torch._utils", "_rebuild_tensor_v2"),
      tuple([
        tuple([pickle.str("storage"), pickle.global("torch", STORAGE[t.dtype]), pickle.str(String(i)), pickle.str("cpu"), pickle.int(numel)]),
        pickle.op(BINPERSID),
        pickle.int(0),
        tuple(t.shape.map(pickle.int)),
        tuple(stride.map(pickle.int)),
        pickle.op(NEWFALSE),
        pickle.global("collections", "OrderedDict"),
        pickle.op(EMPTY_TUPLE, REDUCE),
      ]),
      pickle.op(REDUCE),
    );
  });
  parts.push(pickle.op(SETITEMS, STOP));
  return Buffer.concat(parts);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A stored (uncompressed) zip archive; `zip64` writes the zip64 records torch.save uses past 4 GiB. */
export async function writeZip(file: string, entries: { name: string; data: Buffer }[], zip64 = false): Promise<void> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const crc = crc32(e.data);
    const big = zip64 ? 0xffffffff : 0;
    const localExtra = Buffer.alloc(zip64 ? 20 : 0);
    const centralExtra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      localExtra.writeUInt16LE(1, 0);
      localExtra.writeUInt16LE(16, 2);
      localExtra.writeBigUInt64LE(BigInt(e.data.length), 4);
      localExtra.writeBigUInt64LE(BigInt(e.data.length), 12);
      centralExtra.writeUInt16LE(1, 0);
      centralExtra.writeUInt16LE(24, 2);
      centralExtra.writeBigUInt64LE(BigInt(e.data.length), 4);
      centralExtra.writeBigUInt64LE(BigInt(e.data.length), 12);
      centralExtra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const lfh = Buffer.alloc(30);
    lfh.writeUInt32LE(0x04034b50, 0);
    lfh.writeUInt16LE(zip64 ? 45 : 20, 4);
    lfh.writeUInt32LE(crc, 14);
    lfh.writeUInt32LE(big || e.data.length, 18);
    lfh.writeUInt32LE(big || e.data.length, 22);
    lfh.writeUInt16LE(name.length, 26);
    lfh.writeUInt16LE(localExtra.length, 28);
    const cdh = Buffer.alloc(46);
    cdh.writeUInt32LE(0x02014b50, 0);
    cdh.writeUInt16LE(zip64 ? 45 : 20, 4);
    cdh.writeUInt16LE(zip64 ? 45 : 20, 6);
    cdh.writeUInt32LE(crc, 16);
    cdh.writeUInt32LE(big || e.data.length, 20);
    cdh.writeUInt32LE(big || e.data.length, 24);
    cdh.writeUInt16LE(name.length, 28);
    cdh.writeUInt16LE(centralExtra.length, 30);
    cdh.writeUInt32LE(big || offset, 42);
    locals.push(lfh, name, localExtra, e.data);
    central.push(cdh, name, centralExtra);
    offset += 30 + name.length + localExtra.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(rec, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  await writeFile(file, Buffer.concat([...locals, cd, ...tail, eocd]));
}

/** A torch.save zip checkpoint: `<prefix>/data.pkl` (given, or built from the tensors) and `<prefix>/data/<i>`. */
export async function writeTorchZip(params: { file: string; tensors: TensorData[]; pkl?: Buffer; omitStorage?: string; zip64?: boolean }): Promise<void> {
  const prefix = "archive";
  await writeZip(params.file, [
    { name: `${prefix}/data.pkl`, data: params.pkl ?? stateDictPickle(params.tensors) },
    { name: `${prefix}/byteorder`, data: Buffer.from("little") },
    ...params.tensors
      .map((t, i) => ({ name: `${prefix}/data/${i}`, data: t.data }))
      .filter((e) => e.name !== `${prefix}/data/${params.omitStorage}`),
  ], params.zip64);
}
