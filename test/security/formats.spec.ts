// Issue #19, findings 11 and 12: hostile GGUF files and pickles fail fast with an error naming the file, within bounded
// memory, instead of reading zeros past the end, allocating what a header claims, or overflowing the call stack.
import { execFile } from "node:child_process";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, GGUF_MAGIC, GgufValueType, GgufWriter, readGguf } from "../../lib/gguf";
import { inspectGguf } from "../../lib/gguf";
import { readPytorchZip, unpickleStateDict } from "../../lib/convert/readers/pytorch-zip";
import { pickle, writeTorchZip } from "../helpers/checkpoint-writers";

const exec = promisify(execFile);
const depot = path.resolve(import.meta.dirname, "../../bin/depot.js");

let tmp: string;
let valid: Buffer;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-sec-formats-"));
  const file = path.join(tmp, "valid.gguf");
  const fh = await open(file, "w");
  const w = new GgufWriter(fh);
  w.addKv("general.architecture", { type: GgufValueType.STRING, value: "llama" });
  w.addKv("tokenizer.ggml.scores", { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: [0.5, 1, 2, 3] });
  w.addTensorInfo("a", [8], GgmlType.F32);
  w.addTensorInfo("b", [32, 4], GgmlType.Q8_0);
  await w.writeHeader();
  await w.writeKvData();
  await w.writeTensorInfo();
  await w.writeTensorData("a", new Uint8Array(32));
  await w.writeTensorData("b", new Uint8Array(34 * 4));
  await w.finish({ sync: false });
  await fh.close();
  valid = await readFile(file);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const u32 = (n: number) => Buffer.from(new Uint32Array([n]).buffer);
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};
const gstr = (s: string) => Buffer.concat([u64(BigInt(Buffer.byteLength(s))), Buffer.from(s)]);
const header = (tensors: bigint, kvs: bigint) => Buffer.concat([u32(GGUF_MAGIC), u32(3), u64(tensors), u64(kvs)]);
const tensorInfo = (name: string, dims: bigint[], type: GgmlType, offset: bigint) =>
  Buffer.concat([gstr(name), u32(dims.length), ...dims.map(u64), u32(type), u64(offset)]);
/** Header + tensor infos, padded to the 32-byte alignment, then `data` bytes of tensor data. */
const withData = (head: Buffer, data: number) => Buffer.concat([head, Buffer.alloc((32 - (head.length % 32)) % 32), Buffer.alloc(data)]);

async function write(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, bytes);
  return file;
}

/** Runs `fn`, returning its error and how much the process's resident memory grew meanwhile. */
async function failure(fn: () => Promise<unknown>): Promise<{ error: unknown; rssGrowth: number }> {
  const before = process.memoryUsage().rss;
  const error = await fn().then(() => null, (e: unknown) => e);
  return { error, rssGrowth: process.memoryUsage().rss - before };
}
const MB = 1024 * 1024;

describe("GGUF: truncated and hostile files", () => {
  const cuts: [string, () => number][] = [
    ["in the magic", () => 3],
    ["in the header counts", () => 20],
    ["in a metadata key", () => 30],
    ["in a metadata array", () => valid.indexOf("tokenizer.ggml.scores") + 30],
    ["in the tensor table", () => valid.indexOf(Buffer.from("b")) + 10],
    ["in the tensor data", () => valid.length - 40],
  ];
  it.each(cuts)("refuses a file cut %s, naming the file", async (_where, at) => {
    const file = await write("cut.gguf", valid.subarray(0, at()));
    await expect(readGguf({ file })).rejects.toThrow(/cut\.gguf: .*(truncated|GGUF magic)/);
  });

  const hostile: [string, () => Buffer, RegExp][] = [
    ["a 9e18 tensor count", () => header(9_000_000_000_000_000_000n, 0n), /truncated: the header's tensor count is 9000000000000000000 but only 0 bytes are left of the file's 24/],
    ["a 60-byte file declaring 3 metadata entries", () => Buffer.concat([header(0n, 3n), Buffer.alloc(36)]), /truncated: the header's metadata count is 3 but only 36 bytes are left of the file's 60/],
    ["a 2^63 metadata count", () => header(0n, 1n << 63n), /truncated: the header's metadata count is 9223372036854775808/],
    ["a key length beyond the end", () => Buffer.concat([header(0n, 1n), u64(1n << 40n), Buffer.alloc(20)]), /truncated: the length of metadata key 0 is 1099511627776/],
    ["a string value beyond the end", () => Buffer.concat([header(0n, 1n), gstr("k"), u32(GgufValueType.STRING), u64(1000n), Buffer.from("abc")]), /truncated: the length of k is 1000/],
    ["an array length beyond the end", () => Buffer.concat([header(0n, 1n), gstr("k"), u32(GgufValueType.ARRAY), u32(GgufValueType.UINT32), u64(1n << 40n)]), /truncated: the length of array k is 1099511627776/],
    ["a string array length beyond the end", () => Buffer.concat([header(0n, 1n), gstr("k"), u32(GgufValueType.ARRAY), u32(GgufValueType.STRING), u64(1_000_000n), gstr("x")]), /the length of array k is 1000000/],
    ["an array over the item limit", () => Buffer.concat([header(0n, 1n), gstr("k"), u32(GgufValueType.ARRAY), u32(GgufValueType.UINT8), u64(4_000_001n), Buffer.alloc(4_000_001)]), /array k has 4000001 items, over the limit of 4000000/],
    ["a tensor count over the limit", () => Buffer.concat([header(1_000_001n, 0n), Buffer.alloc(24 * 1_000_001)]), /the header declares 1000001 tensors, over the limit of 1000000/],
    ["a tensor name beyond the end", () => Buffer.concat([header(1n, 0n), u64(1n << 50n), Buffer.alloc(30)]), /truncated: the length of tensor name 0/],
    ["a huge dimension", () => withData(Buffer.concat([header(1n, 0n), tensorInfo("t", [1n << 62n], GgmlType.F32, 0n)]), 32), /tensor t dimension 0 is 4611686018427387904/],
    ["dimensions whose product passes the file", () => withData(Buffer.concat([header(1n, 0n), tensorInfo("t", [1n << 30n, 1n << 30n, 1n << 30n], GgmlType.F32, 0n)]), 32), /tensor t extends past the end of the file/],
    ["too many dimensions", () => withData(Buffer.concat([header(1n, 0n), tensorInfo("t", [1n, 1n, 1n, 1n, 1n], GgmlType.F32, 0n)]), 32), /tensor t has 5 dimensions/],
    ["a tensor offset beyond the end", () => withData(Buffer.concat([header(1n, 0n), tensorInfo("t", [8n], GgmlType.F32, 1n << 30n)]), 32), /tensor t extends past the end of the file .*data at 1073741824\+32 but the data section has 32 bytes/],
    ["a 2^64-32 tensor offset", () => withData(Buffer.concat([header(1n, 0n), tensorInfo("t", [8n], GgmlType.F32, (1n << 64n) - 32n)]), 32), /tensor t extends past the end of the file/],
    ["a tensor running past the end", () => withData(Buffer.concat([header(1n, 0n), tensorInfo("t", [16n], GgmlType.F32, 0n)]), 32), /tensor t extends past the end of the file/],
    ["overlapping tensors", () => withData(Buffer.concat([header(2n, 0n), tensorInfo("a", [16n], GgmlType.F32, 0n), tensorInfo("b", [8n], GgmlType.F32, 32n)]), 96), /tensors a and b overlap/],
    ["the same tensor twice", () => withData(Buffer.concat([header(2n, 0n), tensorInfo("a", [8n], GgmlType.F32, 0n), tensorInfo("a", [8n], GgmlType.F32, 32n)]), 64), /tensor a appears twice/],
  ];
  it.each(hostile)("refuses %s fast, without allocating what it declares", async (_what, bytes, message) => {
    const file = await write("hostile.gguf", bytes());
    const started = performance.now();
    const { error, rssGrowth } = await failure(() => inspectGguf({ file }));
    expect(String(error)).toMatch(/hostile\.gguf: /);
    expect(String(error)).toMatch(message);
    expect(rssGrowth).toBeLessThan(100 * MB);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("still reads a valid file, with adjacent tensors", async () => {
    const g = await readGguf({ file: path.join(tmp, "valid.gguf") });
    expect(g.tensors.map((t) => [t.name, t.offset, t.bytes])).toEqual([["a", 0, 32], ["b", 32, 136]]);
    expect(g.metadata["tokenizer.ggml.scores"]?.value).toEqual([0.5, 1, 2, 3]);
  });

  it("`depot inspect` on a truncated file exits non-zero with the clear message", async () => {
    const file = await write("model.gguf", header(9_000_000_000_000_000_000n, 0n));
    const err = await exec(depot, ["inspect", file]).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain(`${file}: truncated: the header's tensor count is 9000000000000000000`);
  }, 30_000);
});

describe("pickle: bounded interpreter", () => {
  const ops = (byte: number[], times: number) => Buffer.alloc(byte.length * times, Buffer.from(byte));
  const EMPTY_LIST = 0x5d, EMPTY_DICT = 0x7d, EMPTY_TUPLE = 0x29, MARK = 0x28, BININT1 = 0x4b, APPEND = 0x61, APPENDS = 0x65;
  const SETITEMS = 0x75, TUPLE1 = 0x85, LONG_BINPUT = 0x72, STOP = 0x2e;
  const N = 2_000_000;
  const longBinputs = () => {
    const b = Buffer.alloc(5 * 1_100_000);
    for (let i = 0; i < 1_100_000; i++) {
      b[5 * i] = LONG_BINPUT;
      b.writeUInt32LE(i, 5 * i + 1);
    }
    return b;
  };
  const cases: [string, () => Buffer, RegExp][] = [
    ["millions of items for one APPENDS", () => Buffer.concat([pickle.proto(), pickle.op(EMPTY_LIST, MARK), ops([BININT1, 0], N), pickle.op(APPENDS, STOP)]), /pickle stack depth exceeds the limit of 100,000/],
    ["millions of APPEND", () => Buffer.concat([pickle.proto(), pickle.op(EMPTY_LIST), ops([BININT1, 0, APPEND], N), pickle.op(STOP)]), /a pickled list's length exceeds the limit of 1,000,000/],
    ["millions of APPENDS batches", () => Buffer.concat([pickle.proto(), pickle.op(EMPTY_LIST), ops([MARK, BININT1, 0, BININT1, 0, APPENDS], N / 2), pickle.op(STOP)]), /a pickled list's length exceeds the limit/],
    ["millions of items for one SETITEMS", () => Buffer.concat([pickle.proto(), pickle.op(EMPTY_DICT, MARK), ops([BININT1, 0], N), pickle.op(SETITEMS, STOP)]), /pickle stack depth exceeds the limit/],
    ["a million nested MARKs", () => Buffer.concat([pickle.proto(), ops([MARK], N / 2), pickle.op(STOP)]), /MARK nesting exceeds the limit of 1,000/],
    ["a million memo entries", () => Buffer.concat([pickle.proto(), pickle.op(EMPTY_LIST), longBinputs(), pickle.op(STOP)]), /pickle memo size exceeds the limit of 1,000,000/],
    ["millions of nested tuples", () => Buffer.concat([pickle.proto(), pickle.op(EMPTY_TUPLE), ops([TUPLE1], N), pickle.op(STOP)]), /top-level object is not a dict/],
    ["50,000 nested lists", () => Buffer.concat([pickle.proto(), ops([EMPTY_LIST], 50_000), ops([APPEND], 49_999), pickle.op(STOP)]), /top-level object is not a dict/],
  ];
  it.each(cases)("refuses %s with a clear error naming the file", (_what, bytes, message) => {
    expect(() => unpickleStateDict({ data: bytes(), file: "evil.bin" })).toThrow(message);
    expect(() => unpickleStateDict({ data: bytes(), file: "evil.bin" })).toThrow(/^evil\.bin: /);
  });

  it("refuses it through the zip reader the CLI and the worker convert with", async () => {
    const file = path.join(tmp, "pytorch_model.bin");
    await writeTorchZip({ file, tensors: [], pkl: cases[0]![1]() });
    await expect(readPytorchZip({ file })).rejects.toThrow(`${file}: pickle stack depth exceeds the limit of 100,000 (not a state dict pickle)`);
  });
});
