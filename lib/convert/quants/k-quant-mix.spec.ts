import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GgmlType, LlamaFileType } from "../../gguf";
import { K_QUANT_REFERENCE } from "../../../test/helpers/k-quant-fixtures";
import { TYPE_NOTES } from "./type-notes";
import { K_QUANT_FILE_TYPES, K_QUANT_FILE_TYPE_INFO, kQuantTypeFor, kQuantTypes, type KQuantFileType, type KQuantTensor } from "./k-quant-mix";

type MixReference = Record<string, { nLayers: number; nHead: number; nHeadKv: number; tensors: [string, number[], string][]; types: Record<KQuantFileType, string> }>;

describe("kQuantTypeFor", () => {
  it("picks llama-quantize's type for every tensor of 32-layer, 70B-shaped (80 layers, GQA 8) and tied GQA-2 Llamas", async () => {
    const ref = JSON.parse(await readFile(path.join(K_QUANT_REFERENCE, "mix.json"), "utf8")) as MixReference;
    expect(Object.keys(ref)).toHaveLength(3);
    for (const [variant, v] of Object.entries(ref)) {
      const tensors = v.tensors.map(([name, shape, type]) => ({ name, shape, type: GgmlType[type as keyof typeof GgmlType] }));
      for (const ft of K_QUANT_FILE_TYPES) {
        const types = kQuantTypes({ fileType: ft, tensors, nLayers: v.nLayers, nHead: v.nHead, nHeadKv: v.nHeadKv });
        expect(tensors.map((t) => GgmlType[types.get(t.name)!]).join(" "), `${variant} ${ft}`).toBe(v.types[ft]);
      }
    }
  });

  const base = { nLayers: 32, nHead: 32, nHeadKv: 32, hasOutput: true, sourceType: GgmlType.F16 };
  const at = (fileType: KQuantFileType, name: string, ne: number[], extra: Partial<KQuantTensor> = {}) => kQuantTypeFor({ ...base, ...extra, fileType, name, ne });

  it("gives attn_v and ffn_down of the use_more_bits layers Q6_K in Q4_K_M (first/last eighth, every third between)", () => {
    const more = Array.from({ length: 32 }, (_, i) => i).filter((i) => at("Q4_K_M", `blk.${i}.attn_v.weight`, [4096, 4096]) === GgmlType.Q6_K);
    expect(more).toEqual([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]);
    expect(more.every((i) => at("Q4_K_M", `blk.${i}.ffn_down.weight`, [11008, 4096]) === GgmlType.Q6_K)).toBe(true);
    expect(at("Q4_K_M", "blk.4.ffn_down.weight", [11008, 4096])).toBe(GgmlType.Q4_K);
  });

  it("types the output (or tied token_embd) Q6_K, Q8_0 when its rows are not whole 256-blocks", () => {
    expect(at("Q2_K", "output.weight", [4096, 32000])).toBe(GgmlType.Q6_K);
    expect(at("Q4_K_M", "token_embd.weight", [4096, 32000])).toBe(GgmlType.Q4_K);
    expect(at("Q4_K_M", "token_embd.weight", [4096, 32000], { hasOutput: false })).toBe(GgmlType.Q6_K);
    expect(at("Q4_K_M", "output.weight", [64, 32000])).toBe(GgmlType.Q8_0);
  });

  it("falls back per type when 256 does not divide the row (Q4_0/Q5_0/Q5_1/Q8_0, F16 when 32 does not either)", () => {
    expect(at("Q2_K", "blk.5.attn_q.weight", [64, 64])).toBe(GgmlType.Q4_0);
    expect(at("Q4_K_S", "blk.5.attn_q.weight", [64, 64])).toBe(GgmlType.Q5_0);
    expect(at("Q5_K_S", "blk.5.attn_q.weight", [64, 64])).toBe(GgmlType.Q5_1);
    expect(at("Q6_K", "blk.5.attn_q.weight", [64, 64])).toBe(GgmlType.Q8_0);
    expect(at("Q4_K_M", "blk.5.ffn_down.weight", [176, 64])).toBe(GgmlType.F16);
  });

  it("leaves 1-D tensors and norms as they are, and uses n_gqa for Q2_K's attn_v", () => {
    expect(at("Q4_K_M", "blk.0.attn_norm.weight", [4096], { sourceType: GgmlType.F32 })).toBe(GgmlType.F32);
    expect(at("Q4_K_M", "rope_freqs.weight", [64], { sourceType: GgmlType.F32 })).toBe(GgmlType.F32);
    expect(at("Q2_K", "blk.0.attn_v.weight", [4096, 1024], { nHeadKv: 8 })).toBe(GgmlType.Q4_K);
    expect(at("Q2_K", "blk.0.attn_v.weight", [4096, 4096])).toBe(GgmlType.Q3_K);
  });

  it("describes every file type with llama.cpp's general.file_type value", () => {
    expect(K_QUANT_FILE_TYPES.map((t) => K_QUANT_FILE_TYPE_INFO[t].fileType)).toEqual([10, 12, 14, 15, 16, 17, 18]);
    expect(K_QUANT_FILE_TYPE_INFO.Q4_K_M.fileType).toBe(LlamaFileType.MOSTLY_Q4_K_M);
    // The forms explain each offered type from the one table of notes.
    expect(K_QUANT_FILE_TYPES.filter((t) => !TYPE_NOTES[t.toLowerCase()])).toEqual([]);
  });
});
