import type { GgmlType, LlamaFileType } from "../../gguf";
import { K_QUANT_FILE_TYPE_INFO, K_QUANT_FILE_TYPES, kQuantTypes, type KQuantFileType } from "./k-quant-mix";
import { chooseTensorType, fileTypeOf, OUTPUT_TYPES, type OutputType } from "./registry";

/** Every file type we write, in lower case: convert_hf_to_gguf.py's own types, then llama-quantize's K-quant mixes. */
export const FILE_TYPES = [...OUTPUT_TYPES, ...K_QUANT_FILE_TYPES.map((t) => t.toLowerCase() as Lowercase<KQuantFileType>)] as const;
export type FileType = OutputType | Lowercase<KQuantFileType>;

export function isKQuant(type: FileType): type is Lowercase<KQuantFileType> {
  return !(OUTPUT_TYPES as readonly string[]).includes(type);
}

/** `general.file_type` of a file of this type. */
export function llamaFileType(type: FileType): LlamaFileType {
  return isKQuant(type) ? K_QUANT_FILE_TYPE_INFO[type.toUpperCase() as KQuantFileType].fileType : fileTypeOf(type);
}

/**
 * Whose bytes the quantized tensors reproduce: convert_hf_to_gguf.py's (gguf-py's kernels) for its own types,
 * llama-quantize's (the `_ref` kernels) for the K-quant mixes, which only it makes.
 */
export function kernelsFor(type: FileType): "convert" | "llama-quantize" {
  return isKQuant(type) ? "llama-quantize" : "convert";
}

/**
 * A tensor as the type mix sees it: GGUF name, PyTorch-order shape (row length last) and the type it has in the
 * F32/F16/BF16 GGUF it comes from (what a tensor that is not quantized keeps).
 */
export type TypedTensor = { name: string; shape: readonly number[]; sourceType: GgmlType };

/** The model facts llama-quantize's mixes depend on (`<arch>.block_count`, head counts, `expert_count`). */
export type MixModel = { nLayers: number; nHead: number; nHeadKv: number; nExpert?: number };

/**
 * The GGML type of every tensor of a file of type `outType`, in file order: the one place both checkpoint conversion
 * and GGUF quantization ask. convert_hf_to_gguf.py's types follow its rules (`chooseTensorType`); the K-quant mixes
 * llama-quantize's (`kQuantTypes`), which depend on a tensor's layer and on the model, hence the whole list.
 */
export function chooseTensorTypes(params: { outType: FileType; tensors: readonly TypedTensor[]; model: MixModel }): GgmlType[] {
  const { outType, tensors, model } = params;
  if (!isKQuant(outType)) return tensors.map((t) => chooseTensorType({ outType, shape: t.shape }));
  const types = kQuantTypes({
    fileType: outType.toUpperCase() as KQuantFileType,
    tensors: tensors.map((t) => ({ name: t.name, shape: [...t.shape].reverse(), type: t.sourceType })),
    ...model,
  });
  return tensors.map((t) => types.get(t.name)!);
}

/** What a checkpoint tensor is in convert_hf_to_gguf.py's F16 GGUF, the input llama-quantize would start from. */
export function f16GgufType(shape: readonly number[]): GgmlType {
  return chooseTensorType({ outType: "f16", shape });
}
