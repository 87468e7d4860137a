import { stat } from "node:fs/promises";
import { gguf } from "@huggingface/gguf";
import { GGML_QUANT_SIZES, GGUF_DEFAULT_ALIGNMENT, GgmlType, GgufValueType } from "./constants";
import { GgufError } from "./errors";
import type { GgufScalar, GgufTensorInfo } from "./types";

export type GgufReadValue = {
  type: GgufValueType;
  /** Item type for arrays. */
  itemType?: GgufValueType;
  value: GgufScalar | GgufScalar[];
};

export type GgufFile = {
  version: number;
  /** Metadata in file order, excluding the header's version/tensor_count/kv_count. */
  metadata: Record<string, GgufReadValue>;
  tensors: (GgufTensorInfo & { absoluteOffset: number })[];
  dataOffset: number;
  alignment: number;
  fileSize: number;
};

const HEADER_KEYS = new Set(["version", "tensor_count", "kv_count"]);

/** Reads a local GGUF file's header, metadata and tensor table (never the tensor data). */
export async function readGguf(params: { file: string }): Promise<GgufFile> {
  const { size } = await stat(params.file);
  const parsed = await gguf(params.file, { allowLocalFile: true, typedMetadata: true }).catch((e: Error) => {
    throw new GgufError("invalid_gguf", e.message, params.file);
  });
  const metadata: Record<string, GgufReadValue> = {};
  for (const [key, entry] of Object.entries(parsed.typedMetadata)) {
    if (HEADER_KEYS.has(key) || entry === undefined) continue;
    const e = entry as unknown as { type: GgufValueType; subType?: GgufValueType; value: GgufScalar | GgufScalar[] };
    metadata[key] = e.subType === undefined ? { type: e.type, value: e.value } : { type: e.type, itemType: e.subType, value: e.value };
  }
  const alignmentEntry = metadata["general.alignment"];
  const alignment = typeof alignmentEntry?.value === "number" ? alignmentEntry.value : GGUF_DEFAULT_ALIGNMENT;
  const dataOffset = Number(parsed.tensorDataOffset);
  const tensors = parsed.tensorInfos.map((t) => {
    const type = t.dtype as number as GgmlType;
    const shape = t.shape.map(Number);
    const sizes = GGML_QUANT_SIZES[type];
    if (!sizes) throw new GgufError("invalid_gguf", `tensor ${t.name} has unknown GGML type ${t.dtype}`, params.file);
    const elements = shape.reduce((a, b) => a * b, 1);
    const offset = Number(t.offset);
    const bytes = (elements / sizes[0]) * sizes[1];
    if (dataOffset + offset + bytes > size) throw new GgufError("invalid_gguf", `tensor ${t.name} extends past the end of the file (truncated?)`, params.file);
    return { name: t.name, shape, type, bytes, offset, absoluteOffset: dataOffset + offset };
  });
  return { version: Number(parsed.typedMetadata.version.value), metadata, tensors, dataOffset, alignment, fileSize: size };
}
