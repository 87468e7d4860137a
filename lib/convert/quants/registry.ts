import { GGML_QUANT_SIZES, GgmlType, LlamaFileType } from "../../gguf";
import { bf16 } from "./bf16";
import { f16 } from "./f16";
import { f32 } from "./f32";
import { q2_K, q3_K, q4_K, q5_K, q6_K } from "./k-quants";
import { q4_0Ref, q5_0Ref, q5_1Ref } from "./legacy-ref";
import { q4_0 } from "./q4_0";
import { q8_0 } from "./q8_0";
import type { Quant } from "./types";

export const OUTPUT_TYPES = ["f32", "f16", "bf16", "q8_0", "q4_0"] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

/** The converter's kernels: gguf-py's (convert_hf_to_gguf.py's bytes). */
export const QUANTS: ReadonlyMap<GgmlType, Quant> = new Map([f32, f16, bf16, q8_0, q4_0].map((q) => [q.ggmlType, q]));

/**
 * llama-quantize's kernels without an importance matrix (ggml_quantize_chunk → the `_ref` quantizers): the K-quants,
 * the 32-block types its type mix falls back to, Q8_0 (gguf-py's is the same arithmetic) and the float types.
 */
export const LLAMA_QUANTS: ReadonlyMap<GgmlType, Quant> = new Map(
  [f32, f16, bf16, q8_0, q4_0Ref, q5_0Ref, q5_1Ref, q2_K, q3_K, q4_K, q5_K, q6_K].map((q) => [q.ggmlType, q]),
);

const OUTPUT: Record<OutputType, { ggmlType: GgmlType; fileType: LlamaFileType }> = {
  f32: { ggmlType: GgmlType.F32, fileType: LlamaFileType.ALL_F32 },
  f16: { ggmlType: GgmlType.F16, fileType: LlamaFileType.MOSTLY_F16 },
  bf16: { ggmlType: GgmlType.BF16, fileType: LlamaFileType.MOSTLY_BF16 },
  q8_0: { ggmlType: GgmlType.Q8_0, fileType: LlamaFileType.MOSTLY_Q8_0 },
  q4_0: { ggmlType: GgmlType.Q4_0, fileType: LlamaFileType.MOSTLY_Q4_0 },
};

export function fileTypeOf(type: OutputType): LlamaFileType {
  return OUTPUT[type].fileType;
}

/**
 * convert_hf_to_gguf.py's choice per tensor: 1-D tensors (norms) stay F32; a quantized type whose block size does
 * not divide the row length (e.g. ffn_down with 176 columns) falls back to F16.
 */
export function chooseTensorType(params: { outType: OutputType; shape: readonly number[] }): GgmlType {
  if (params.shape.length <= 1) return GgmlType.F32;
  const t = OUTPUT[params.outType].ggmlType;
  const row = params.shape[params.shape.length - 1]!;
  return row % GGML_QUANT_SIZES[t][0] === 0 ? t : GgmlType.F16;
}
