import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyGguf } from "../../test/helpers/tiny-gguf";
import { writeSplit } from "../../test/servers/hf-gguf-repo";
import { describeGguf } from "./describe";
import { readGguf } from "./reader";

let dir: string;
let single: string;
let parts: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "depot-describe-"));
  single = await tinyGguf();
  parts = [path.join(dir, "t-00001-of-00002.gguf"), path.join(dir, "t-00002-of-00002.gguf")];
  await writeSplit(single, parts);
}, 120_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("describeGguf", () => {
  it("reads architecture, parameters, context length, file type and chat template; a split set as the whole", async () => {
    const one = await describeGguf({ files: [single] });
    const g = await readGguf({ file: single });
    expect(one).toMatchObject({ architecture: "llama", architectureSupported: true, fileType: "F16", splitCount: 1, tensorCount: g.tensors.length });
    expect(one.contextLength).toBe(Number(g.metadata["llama.context_length"]!.value));
    expect(one.parameterCount).toBe(g.tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0));
    expect(await describeGguf({ files: parts })).toEqual({ ...one, splitCount: 2 });
  });

  it("refuses a split set given incomplete or out of order, naming the file", async () => {
    await expect(describeGguf({ files: [parts[0]!] })).rejects.toThrow("split.count is 2 but 1 file(s) were given");
    await expect(describeGguf({ files: [parts[1]!, parts[0]!] })).rejects.toThrow(`${parts[1]} is not part 1 of the split set (split.no 1)`);
  });
});
