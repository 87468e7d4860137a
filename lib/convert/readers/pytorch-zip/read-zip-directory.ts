import type { FileHandle } from "node:fs/promises";
import { ConvertError } from "../../errors";

export type ZipEntry = { name: string; method: number; size: number; compressedSize: number; localHeaderOffset: number };

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const MAX_ENTRIES = 1_000_000;

function fail(file: string, message: string): never {
  throw new ConvertError("invalid_zip", message, file);
}

async function readAt(fh: FileHandle, file: string, position: number, length: number, size: number): Promise<Buffer> {
  if (position < 0 || length < 0 || position + length > size) fail(file, `read of ${length} bytes at ${position} is outside the ${size}-byte file`);
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) fail(file, "short read (file truncated?)");
  return buf;
}

function u64(buf: Buffer, at: number, file: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(file, "zip64 field out of range");
  return Number(v);
}

/** Reads the central directory (zip and zip64); every size and offset is checked against the file size. */
export async function readZipDirectory(params: { fh: FileHandle; file: string }): Promise<Map<string, ZipEntry>> {
  const { fh, file } = params;
  const { size } = await fh.stat();
  if (size < 22) fail(file, "too small to be a zip archive");
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, file, size - tailLen, tailLen, size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(file, "no end-of-central-directory record: not a zip archive, or truncated");
  let entries = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAbs = size - tailLen + eocd;
  if (eocdAbs >= 20 && (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)) {
    const loc = await readAt(fh, file, eocdAbs - 20, 20, size);
    if (loc.readUInt32LE(0) !== ZIP64_LOCATOR_SIG) fail(file, "zip64 locator missing");
    const z = await readAt(fh, file, u64(loc, 8, file), 56, size);
    if (z.readUInt32LE(0) !== ZIP64_EOCD_SIG) fail(file, "zip64 end-of-central-directory record missing");
    entries = u64(z, 32, file);
    cdSize = u64(z, 40, file);
    cdOffset = u64(z, 48, file);
  }
  if (entries > MAX_ENTRIES) fail(file, `${entries} entries is more than a checkpoint holds`);
  if (cdOffset + cdSize > size) fail(file, "central directory lies beyond the end of the file (truncated?)");
  const cd = await readAt(fh, file, cdOffset, cdSize, size);
  const out = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) fail(file, `central directory entry ${i} is malformed`);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let entrySize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) fail(file, `central directory entry ${i} runs past the directory`);
    const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
    // Zip64 extended information: only the fields saturated in the fixed header are present, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (e + 4 + len > extraEnd) fail(file, `entry ${name}: extra field runs past its header`);
      if (id === 0x0001) {
        let f = e + 4;
        const take = (): number => {
          if (f + 8 > e + 4 + len) fail(file, `entry ${name}: zip64 extra field too short`);
          const v = u64(cd, f, file);
          f += 8;
          return v;
        };
        if (entrySize === 0xffffffff) entrySize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    if (localHeaderOffset + 30 + compressedSize > size) fail(file, `entry ${name} lies beyond the end of the file (truncated?)`);
    out.set(name, { name, method, size: entrySize, compressedSize, localHeaderOffset });
    p = end;
  }
  return out;
}

/** Absolute offset of a stored entry's bytes, from its local header. */
export async function zipEntryDataOffset(params: { fh: FileHandle; file: string; entry: ZipEntry }): Promise<number> {
  const { fh, file, entry } = params;
  if (entry.method !== 0) fail(file, `entry ${entry.name} is compressed (method ${entry.method}); only stored entries are supported`);
  const { size } = await fh.stat();
  const lfh = await readAt(fh, file, entry.localHeaderOffset, 30, size);
  if (lfh.readUInt32LE(0) !== LFH_SIG) fail(file, `entry ${entry.name}: bad local header`);
  const start = entry.localHeaderOffset + 30 + lfh.readUInt16LE(26) + lfh.readUInt16LE(28);
  if (start + entry.size > size) fail(file, `entry ${entry.name} runs past the end of the file (truncated?)`);
  return start;
}
