import { GGML_QUANT_SIZES, GgmlType, LlamaFileType } from "../../gguf";

/** The K-quant file types offered, in llama-quantize's names. */
export const K_QUANT_FILE_TYPES = ["Q2_K", "Q3_K_M", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K"] as const;
export type KQuantFileType = (typeof K_QUANT_FILE_TYPES)[number];

/**
 * `general.file_type` (LLAMA_FTYPE) and the default tensor type (llama_ftype_get_default_type) of each; the one-line
 * notes users read are in type-notes.ts.
 */
export const K_QUANT_FILE_TYPE_INFO: Readonly<Record<KQuantFileType, { fileType: LlamaFileType; defaultType: GgmlType }>> = {
  Q2_K: { fileType: LlamaFileType.MOSTLY_Q2_K, defaultType: GgmlType.Q2_K },
  Q3_K_M: { fileType: LlamaFileType.MOSTLY_Q3_K_M, defaultType: GgmlType.Q3_K },
  Q4_K_S: { fileType: LlamaFileType.MOSTLY_Q4_K_S, defaultType: GgmlType.Q4_K },
  Q4_K_M: { fileType: LlamaFileType.MOSTLY_Q4_K_M, defaultType: GgmlType.Q4_K },
  Q5_K_S: { fileType: LlamaFileType.MOSTLY_Q5_K_S, defaultType: GgmlType.Q5_K },
  Q5_K_M: { fileType: LlamaFileType.MOSTLY_Q5_K_M, defaultType: GgmlType.Q5_K },
  Q6_K: { fileType: LlamaFileType.MOSTLY_Q6_K, defaultType: GgmlType.Q6_K },
};

export type KQuantTensor = {
  fileType: KQuantFileType;
  /** GGUF tensor name, e.g. `blk.3.attn_v.weight`. */
  name: string;
  /** GGML order: ne[0] (the row length) first, as lib/gguf's reader gives it. */
  ne: readonly number[];
  /** The tensor's type in the source GGUF: what tensors that are not quantized keep. */
  sourceType: GgmlType;
  /** `llama.block_count`. */
  nLayers: number;
  /** `llama.attention.head_count` and `head_count_kv` (n_gqa = nHead / nHeadKv). */
  nHead: number;
  nHeadKv: number;
  /** `llama.expert_count`; 0 or absent for dense models. */
  nExpert?: number;
  /** Whether the file has `output.weight`; without it `token_embd.weight` doubles as the output and is typed as it. */
  hasOutput: boolean;
};

/** use_more_bits in llama-quant.cpp: the first and last eighth of the layers, and every third one between. */
function useMoreBits(i: number, n: number): boolean {
  const n8 = Math.trunc(n / 8);
  return i < n8 || i >= Math.trunc((7 * n) / 8) || (i - n8) % 3 === 2;
}

/** tensor_allows_quantization, the rules that can apply to a Llama file: 2-D+ `*weight` tensors except norms. */
function allowsQuantization(name: string, ne: readonly number[]): boolean {
  const nDims = ne.findLastIndex((d, i) => i === 0 || d > 1) + 1; // ggml_n_dims: trailing 1s do not count
  return nDims >= 2 && name.endsWith("weight") && !name.includes("_norm.weight") && !name.includes("ffn_gate_inp.weight");
}

/** tensor_type_fallback: a row length the type's 256-blocks do not divide gets a 32-block type, else F16. */
function fallback(type: GgmlType, ncols: number): GgmlType {
  const block = GGML_QUANT_SIZES[type][0];
  if (ncols % block === 0) return type;
  const to: Partial<Record<GgmlType, GgmlType>> = {
    [GgmlType.Q2_K]: GgmlType.Q4_0,
    [GgmlType.Q3_K]: GgmlType.Q4_0,
    [GgmlType.Q4_K]: GgmlType.Q5_0,
    [GgmlType.Q5_K]: GgmlType.Q5_1,
    [GgmlType.Q6_K]: GgmlType.Q8_0,
  };
  const next = to[type] ?? type; // a 32-block type has nothing smaller: F16 below, as llama.cpp does
  return ncols % GGML_QUANT_SIZES[next][0] === 0 ? next : GgmlType.F16;
}

/**
 * The type llama-quantize gives one tensor of a Llama GGUF for a K-quant file type without an importance matrix
 * (llama-quant.cpp's llama_tensor_get_type and llama_tensor_get_type_impl, no overrides, not `--pure`). The layer of
 * `attn_v`/`ffn_down` comes from the name: llama.cpp counts those tensors in layer order, the same index when every
 * layer has one, as Llama's do.
 */
export function kQuantTypeFor(t: KQuantTensor): GgmlType {
  if (!allowsQuantization(t.name, t.ne)) return t.sourceType;
  const ftype = t.fileType;
  const ncols = t.ne[0]!;
  const nExpert = t.nExpert ?? 0;
  const nGqa = t.nHeadKv > 0 ? Math.trunc(t.nHead / t.nHeadKv) : 0;
  const layer = Number(/^blk\.(\d+)\./.exec(t.name)?.[1] ?? -1);
  const n = t.nLayers;
  let type = K_QUANT_FILE_TYPE_INFO[ftype].defaultType;

  if (t.name === "output.weight" || (!t.hasOutput && t.name === "token_embd.weight")) {
    type = ncols % GGML_QUANT_SIZES[type][0] !== 0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
  } else if (t.name === "token_embd.weight") {
    // keeps the default type
  } else if (t.name.includes("attn_v.weight")) {
    if (ftype === "Q2_K") type = nGqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
    else if (ftype === "Q3_K_M") type = layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
    else if ((ftype === "Q4_K_M" || ftype === "Q5_K_M") && useMoreBits(layer, n)) type = GgmlType.Q6_K;
    else if (ftype === "Q4_K_S" && layer < 4) type = GgmlType.Q5_K;
    // LLM_TYPE_70B: a Llama of 80 layers with GQA
    if (n === 80 && t.nHead !== t.nHeadKv && (type === GgmlType.Q3_K || type === GgmlType.Q4_K)) type = GgmlType.Q5_K;
    if (nExpert === 8) type = GgmlType.Q8_0;
  } else if (t.name.includes("attn_k.weight")) {
    if (nExpert === 8) type = GgmlType.Q8_0;
  } else if (t.name.includes("ffn_down")) {
    if (ftype === "Q2_K") type = GgmlType.Q3_K;
    else if (ftype === "Q3_K_M") type = layer < Math.trunc(n / 16) ? GgmlType.Q5_K : GgmlType.Q4_K;
    else if (ftype === "Q4_K_M" && useMoreBits(layer, n)) type = GgmlType.Q6_K;
    else if (ftype === "Q5_K_M" && useMoreBits(layer, n)) type = GgmlType.Q6_K;
    else if (ftype === "Q4_K_S" && layer < Math.trunc(n / 8)) type = GgmlType.Q5_K;
  } else if (t.name.includes("attn_output.weight")) {
    if (nExpert === 8) {
      if (ftype === "Q2_K" || ftype === "Q3_K_M" || ftype === "Q4_K_S" || ftype === "Q4_K_M") type = GgmlType.Q5_K;
    } else if (ftype === "Q2_K") type = GgmlType.Q3_K;
    else if (ftype === "Q3_K_M") type = GgmlType.Q4_K;
  }
  return fallback(type, ncols);
}

/** kQuantTypeFor over a whole file's tensors (GGML-order shapes, as lib/gguf reads them), keyed by name. */
export function kQuantTypes(params: {
  fileType: KQuantFileType;
  tensors: readonly { name: string; shape: readonly number[]; type: GgmlType }[];
  nLayers: number;
  nHead: number;
  nHeadKv: number;
  nExpert?: number;
}): Map<string, GgmlType> {
  const { tensors, ...model } = params;
  const hasOutput = tensors.some((t) => t.name === "output.weight");
  return new Map(tensors.map((t) => [t.name, kQuantTypeFor({ ...model, name: t.name, ne: t.shape, sourceType: t.type, hasOutput })]));
}
