import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GgmlType, GgufValueType } from "./constants";
import { readGguf } from "./reader";
import { GgufWriter, WriterState } from "./writer";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "depot-gguf-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withWriter(fn: (w: GgufWriter) => Promise<void>): Promise<string> {
  const file = path.join(dir, "t.gguf");
  const fh = await open(file, "w");
  try {
    await fn(new GgufWriter(fh));
  } finally {
    await fh.close();
  }
  return file;
}

describe("GgufWriter", () => {
  it("writes every value type, tensor infos and 32-byte aligned data that read back unchanged", async () => {
    const file = await withWriter(async (w) => {
      w.addKv("u8", { type: GgufValueType.UINT8, value: 255 });
      w.addKv("i8", { type: GgufValueType.INT8, value: -5 });
      w.addKv("u16", { type: GgufValueType.UINT16, value: 65535 });
      w.addKv("i16", { type: GgufValueType.INT16, value: -300 });
      w.addKv("u32", { type: GgufValueType.UINT32, value: 4_000_000_000 });
      w.addKv("i32", { type: GgufValueType.INT32, value: -70_000 });
      w.addKv("f32", { type: GgufValueType.FLOAT32, value: 1.5 });
      w.addKv("bool", { type: GgufValueType.BOOL, value: true });
      w.addKv("str", { type: GgufValueType.STRING, value: "héllo \uFEFF" });
      w.addKv("u64", { type: GgufValueType.UINT64, value: 2n ** 40n });
      w.addKv("i64", { type: GgufValueType.INT64, value: -3n });
      w.addKv("f64", { type: GgufValueType.FLOAT64, value: Math.PI });
      w.addKv("arr.i32", { type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: new Int32Array([1, -2, 3]) });
      w.addKv("arr.str", { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: ["a", "", "ü"] });
      w.addKv("arr.f32", { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: [0.25, -1000] });
      expect(w.addTensorInfo("a", [3], GgmlType.F32)).toBe(12);
      expect(w.addTensorInfo("b", [2, 2], GgmlType.F16)).toBe(8);
      await w.writeHeader();
      await w.writeKvData();
      await w.writeTensorInfo();
      await w.writeTensorData("a", new Uint8Array(new Float32Array([1, 2]).buffer));
      await w.writeTensorData("a", new Uint8Array(new Float32Array([3]).buffer));
      await w.writeTensorData("b", new Uint8Array(8).fill(7));
      await w.finish();
      expect(w.writerState).toBe(WriterState.Closed);
    });
    const g = await readGguf({ file });
    const plain = Object.fromEntries(Object.entries(g.metadata).map(([k, v]) => [k, v.value]));
    expect(plain).toEqual({
      u8: 255, i8: -5, u16: 65535, i16: -300, u32: 4_000_000_000, i32: -70_000, f32: 1.5, bool: true, str: "héllo \uFEFF",
      u64: 2n ** 40n, i64: -3n, f64: Math.PI, "arr.i32": [1, -2, 3], "arr.str": ["a", "", "ü"], "arr.f32": [0.25, -1000],
    });
    expect(g.metadata["arr.str"]).toMatchObject({ type: GgufValueType.ARRAY, itemType: GgufValueType.STRING });
    expect(g.metadata["u64"]?.type).toBe(GgufValueType.UINT64);
    expect(g.dataOffset % 32).toBe(0);
    expect(g.tensors.map((t) => [t.name, t.shape, t.type, t.offset, t.bytes])).toEqual([
      ["a", [3], GgmlType.F32, 0, 12],
      ["b", [2, 2], GgmlType.F16, 32, 8],
    ]);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(g.dataOffset + 64);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]));
    expect([...new Float32Array(bytes.buffer.slice(bytes.byteOffset + g.dataOffset, bytes.byteOffset + g.dataOffset + 12))]).toEqual([1, 2, 3]);
    expect(bytes.subarray(g.dataOffset + 12, g.dataOffset + 32)).toEqual(Buffer.alloc(20));
  });

  it("enforces file order like gguf-py's WriterState", async () => {
    await withWriter(async (w) => {
      await expect(w.writeKvData()).rejects.toThrow(/expected state HEADER, got EMPTY/);
      w.addKv("k", { type: GgufValueType.UINT32, value: 1 });
      expect(() => w.addKv("k", { type: GgufValueType.UINT32, value: 2 })).toThrow(/duplicate key k/);
      w.addTensorInfo("t", [32], GgmlType.Q8_0);
      expect(() => w.addTensorInfo("t", [32], GgmlType.F32)).toThrow(/duplicate tensor t/);
      expect(() => w.addTensorInfo("u", [33], GgmlType.Q8_0)).toThrow(/not a multiple of block size 32/);
      await expect(w.writeTensorData("t", new Uint8Array(34))).rejects.toThrow(/expected state TI_DATA or WEIGHTS, got EMPTY/);
      await w.writeHeader();
      expect(() => w.addKv("late", { type: GgufValueType.UINT32, value: 1 })).toThrow(/expected state EMPTY/);
      await w.writeKvData();
      await w.writeTensorInfo();
      await expect(w.writeTensorData("other", new Uint8Array(1))).rejects.toThrow(/expected data for t, got other/);
      await expect(w.writeTensorData("t", new Uint8Array(35))).rejects.toThrow(/too many bytes for t/);
      await w.writeTensorData("t", new Uint8Array(10));
      await expect(w.finish()).rejects.toThrow(/1 tensor\(s\) not written/);
    });
  });

  it("rejects a value that does not fit its declared type", async () => {
    await withWriter(async (w) => {
      w.addKv("s", { type: GgufValueType.STRING, value: 3 });
      await w.writeHeader();
      await expect(w.writeKvData()).rejects.toThrow(/GGUF string value expected, got number/);
    });
  });
});
