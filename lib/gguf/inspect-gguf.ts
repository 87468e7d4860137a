import { GgmlType, GgufValueType } from "./constants";
import { readGguf } from "./reader";
import type { GgufScalar } from "./types";

export type GgufInspection = {
  file: string;
  bytes: number;
  version: number;
  alignment: number;
  dataOffset: number;
  architecture: string | null;
  name: string | null;
  /** llama.cpp's name for `general.file_type`, e.g. "Q8_0", "F16", "Q4_K_M". */
  fileType: string | null;
  parameterCount: number;
  /** Tensor data bits per weight (as llama.cpp's "BPW"): 8 × tensor bytes / parameters; 0 for a file without tensors. */
  bitsPerWeight: number;
  /** In file order; arrays are summarised by their length and first items. */
  metadata: { key: string; type: string; itemType?: string; value?: GgufScalar; length?: number; preview?: GgufScalar[] }[];
  tensors: { name: string; type: string; shape: number[]; bytes: number; offset: number }[];
};

// llama.cpp's llama_ftype, by value.
const FILE_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
  13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16",
};

/** Metadata and tensor table of a GGUF file, for a detail view (never reads tensor data). */
export async function inspectGguf(params: { file: string; arrayPreview?: number }): Promise<GgufInspection> {
  const g = await readGguf({ file: params.file });
  const preview = params.arrayPreview ?? 5;
  const str = (key: string) => {
    const v = g.metadata[key]?.value;
    return typeof v === "string" ? v : null;
  };
  const ft = g.metadata["general.file_type"]?.value;
  const parameterCount = g.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const tensorBytes = g.tensors.reduce((a, t) => a + t.bytes, 0);
  return {
    file: params.file,
    bytes: g.fileSize,
    version: g.version,
    alignment: g.alignment,
    dataOffset: g.dataOffset,
    architecture: str("general.architecture"),
    name: str("general.name"),
    fileType: typeof ft === "number" ? (FILE_TYPES[ft] ?? `unknown (${ft})`) : null,
    parameterCount,
    bitsPerWeight: parameterCount > 0 ? (tensorBytes * 8) / parameterCount : 0,
    metadata: Object.entries(g.metadata).map(([key, v]) =>
      Array.isArray(v.value)
        ? { key, type: GgufValueType[v.type], itemType: v.itemType === undefined ? undefined : GgufValueType[v.itemType], length: v.value.length, preview: v.value.slice(0, preview) }
        : { key, type: GgufValueType[v.type], value: v.value },
    ),
    tensors: g.tensors.map((t) => ({ name: t.name, type: GgmlType[t.type] ?? String(t.type), shape: [...t.shape], bytes: t.bytes, offset: t.offset })),
  };
}
