import { mkdtemp, open, rm, truncate } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, GgufValueType } from "./constants";
import { GgufError } from "./errors";
import { readGguf } from "./reader";
import { GgufWriter } from "./writer";

describe("readGguf", () => {
  let tmp: string;
  let file: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "depot-gguf-read-"));
    file = path.join(tmp, "m.gguf");
    const fh = await open(file, "w");
    const w = new GgufWriter(fh);
    w.addKv("general.architecture", { type: GgufValueType.STRING, value: "llama" });
    w.addTensorInfo("a", [5], GgmlType.F32);
    w.addTensorInfo("b", [32, 1024], GgmlType.Q8_0);
    await w.writeHeader();
    await w.writeKvData();
    await w.writeTensorInfo();
    await w.writeTensorData("a", new Uint8Array(20));
    await w.writeTensorData("b", new Uint8Array(34 * 1024));
    await w.finish({ sync: false });
    await fh.close();
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("reads the tensor table with sizes and absolute offsets", async () => {
    const g = await readGguf({ file });
    expect(g.tensors.map((t) => [t.name, t.bytes, t.offset, t.absoluteOffset - g.dataOffset])).toEqual([
      ["a", 20, 0, 0],
      ["b", 34 * 1024, 32, 32],
    ]);
    expect(g.fileSize).toBe(g.dataOffset + 32 + 34 * 1024);
  });

  it("rejects a file that is not GGUF, and a truncated one, naming the file", async () => {
    const notGguf = path.join(tmp, "x.json");
    const fh = await open(notGguf, "w");
    await fh.write('{"not": "gguf"}');
    await fh.close();
    await expect(readGguf({ file: notGguf })).rejects.toThrow(GgufError);
    await expect(readGguf({ file: notGguf })).rejects.toThrow(/x\.json: .*GGUF magic/);
    await truncate(file, 20_000);
    await expect(readGguf({ file })).rejects.toThrow(/m\.gguf: tensor b extends past the end of the file/);
  });
});
