import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertModel } from "../convert/convert-model";
import { detectCheckpointFormat } from "../convert/detect-checkpoint-format";
import { inspectGguf } from "./inspect-gguf";
import { FIXTURE } from "../../test/helpers/gguf-fixtures";

describe("inspectGguf", () => {
  let tmp: string;
  let file: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "depot-inspect-"));
    file = path.join(tmp, "m.gguf");
    await convertModel({ inputDir: path.join(FIXTURE, "meta"), outFile: file, type: "f16", name: "Tiny Llama" });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("summarises metadata and lists tensors with types, shapes, sizes and offsets", async () => {
    const info = await inspectGguf({ file });
    expect(info).toMatchObject({ bytes: 9_119_232, version: 3, alignment: 32, dataOffset: 725_248, architecture: "llama", name: "Tiny Llama", fileType: "F16", parameterCount: 4_196_672 });
    expect(info.metadata.find((m) => m.key === "tokenizer.ggml.tokens")).toEqual({
      key: "tokenizer.ggml.tokens", type: "ARRAY", itemType: "STRING", length: 32000, preview: ["<unk>", "<s>", "</s>", "<0x00>", "<0x01>"],
    });
    expect(info.metadata.find((m) => m.key === "llama.block_count")).toEqual({ key: "llama.block_count", type: "UINT32", value: 2 });
    expect(info.tensors).toHaveLength(21);
    // f16 weights, f32 norms: just over 16 bits.
    expect(info.bitsPerWeight).toBeCloseTo(((4_196_672 - 5 * 64) * 16 + 5 * 64 * 32) / 4_196_672, 10);
    expect(info.tensors[0]).toEqual({ name: "token_embd.weight", type: "F16", shape: [64, 32000], bytes: 4_096_000, offset: 0 });
    expect(info.tensors.find((t) => t.name === "output_norm.weight")).toMatchObject({ type: "F32", shape: [64], bytes: 256 });
  });
});

describe("detectCheckpointFormat", () => {
  it("recognises the three layouts and returns null for anything else", async () => {
    expect(await detectCheckpointFormat({ dir: path.join(FIXTURE, "hf") })).toEqual({ format: "safetensors", files: ["model.safetensors"] });
    expect(await detectCheckpointFormat({ dir: path.join(FIXTURE, "bin") })).toEqual({ format: "pytorch", files: ["pytorch_model.bin"] });
    expect(await detectCheckpointFormat({ dir: path.join(FIXTURE, "meta") })).toEqual({ format: "meta", files: ["consolidated.00.pth"] });
    expect(await detectCheckpointFormat({ dir: path.join(FIXTURE, "llamacpp-reference") })).toBeNull();
  });
});
