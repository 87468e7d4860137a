import type { GgmlType } from "../../gguf";
import { chooseTensorType, type OutputType } from "./registry";

/** A tensor as the type mix sees it: GGUF name and PyTorch-order shape (row length last). */
export type TypedTensor = { name: string; shape: readonly number[] };

/**
 * The GGML type of every tensor of a file of type `outType`, in file order: the one place both checkpoint conversion
 * and GGUF quantization ask. It takes the whole list because llama.cpp's type mixes depend on a tensor's position
 * among its kind (e.g. which `attn_v` layers get more bits), not on the tensor alone.
 */
export function chooseTensorTypes(params: { outType: OutputType; tensors: readonly TypedTensor[] }): GgmlType[] {
  return params.tensors.map((t) => chooseTensorType({ outType: params.outType, shape: t.shape }));
}
