import path from "node:path";
import { GGML_QUANT_VERSION, GgmlType, GgufError, GgufValueType, readGguf, type GgufFile, type GgufKv, type GgufScalar, type GgufScalarType } from "../gguf";
import { ConvertError } from "./errors";
import type { PlannedTensor } from "./llama";
import { chooseTensorTypes, FILE_TYPES, kernelsFor, llamaFileType, type FileType, type MixModel } from "./quants";
import type { SourceDtype } from "./readers";
import { abortCheck, writeGgufFile, type ConvertProgress, type WriteGgufResult } from "./write-gguf";

/** GGUF → GGUF targets: every file type we can quantize an F32/F16/BF16 GGUF to (all but F32). */
export const QUANTIZE_TYPES = FILE_TYPES.filter((t): t is Exclude<FileType, "f32"> => t !== "f32");
export type QuantizeType = (typeof QUANTIZE_TYPES)[number];

export type QuantizeGgufParams = {
  inFile: string;
  outFile: string;
  /** A file type, case-insensitive ("Q8_0", "q8_0"); anything else is an `unsupported_type` error. */
  type: string;
  /** Called after each chunk of tensor data is written; bytes count output tensor data. */
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
  /** Worker threads. @default os.availableParallelism(), at most 8 */
  threads?: number;
  /** As convertModel's: fsync file and directory around the rename. @default true */
  durable?: boolean;
};

export type QuantizeGgufResult = WriteGgufResult & {
  /** The output file type in llama.cpp's spelling, e.g. "Q8_0". */
  fileType: string;
  /** The source's `general.architecture`, if it has one. */
  architecture: string | null;
};

const SOURCE_DTYPES: Partial<Record<GgmlType, SourceDtype>> = { [GgmlType.F32]: "F32", [GgmlType.F16]: "F16", [GgmlType.BF16]: "BF16" };

// llama-quantize drops the split keys (it writes one file) and re-sets these two, which moves them to the end.
const DROPPED_KEYS = new Set(["split.no", "split.count", "split.tensors.count", "general.quantization_version", "general.file_type"]);

export function parseQuantizeType(type: string): QuantizeType {
  const t = type.toLowerCase();
  if (!(QUANTIZE_TYPES as readonly string[]).includes(t)) {
    throw new ConvertError("unsupported_type", `cannot quantize to ${JSON.stringify(type)}: expected one of ${QUANTIZE_TYPES.map((q) => q.toUpperCase()).join(", ")}`);
  }
  return t as QuantizeType;
}

/**
 * The source's metadata as llama-quantize writes it (llama-quant.cpp, `gguf_set_kv` then `gguf_set_val_u32`, which
 * removes a key and appends it): every key in file order, less the split keys, then `general.quantization_version`
 * and the new `general.file_type`.
 */
function quantizedMetadata(g: GgufFile, type: QuantizeType): GgufKv[] {
  const kvs: GgufKv[] = [];
  for (const [key, v] of Object.entries(g.metadata)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (v.type === GgufValueType.ARRAY) kvs.push({ key, type: GgufValueType.ARRAY, itemType: v.itemType as GgufScalarType, value: v.value as GgufScalar[] });
    else kvs.push({ key, type: v.type, value: v.value as GgufScalar });
  }
  kvs.push({ key: "general.quantization_version", type: GgufValueType.UINT32, value: GGML_QUANT_VERSION });
  kvs.push({ key: "general.file_type", type: GgufValueType.UINT32, value: llamaFileType(type) });
  return kvs;
}

/** The source tensors as the chunk planner reads them: one contiguous region of the input each, PyTorch-order shape. */
function plannedTensors(g: GgufFile, file: string): PlannedTensor[] {
  return g.tensors.map((t) => {
    const dtype = SOURCE_DTYPES[t.type];
    if (!dtype) {
      throw new ConvertError("unsupported_dtype", `tensor ${t.name} is ${GgmlType[t.type] ?? t.type}: only an F32, F16 or BF16 GGUF can be quantized (re-quantizing loses quality)`, file);
    }
    const shape = [...t.shape].reverse();
    return { name: t.name, shape, dtype, parts: [{ name: t.name, dtype, shape, file, offset: t.absoluteOffset, bytes: t.bytes }], splitAxis: null, unpermuteHeads: null };
  });
}

/** What llama-quantize reads of the model for its type mix: `<arch>.block_count`, head counts, `expert_count`. */
function mixModel(g: GgufFile): MixModel {
  const arch = g.metadata["general.architecture"]?.value;
  const num = (key: string, fallback: number) => {
    const v = g.metadata[`${typeof arch === "string" ? arch : "llama"}.${key}`]?.value;
    return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : fallback;
  };
  const nHead = num("attention.head_count", 0);
  return { nLayers: num("block_count", 0), nHead, nHeadKv: num("attention.head_count_kv", nHead), nExpert: num("expert_count", 0) };
}

/** The source's header and tensors, validated (bounded reads, no overlap, data inside the file, F32/F16/BF16 only). */
async function readSource(file: string): Promise<{ g: GgufFile; tensors: PlannedTensor[] }> {
  const g = await readGguf({ file }).catch((e: unknown) => {
    if (e instanceof GgufError) throw new ConvertError("invalid_gguf", e.message.slice(`${file}: `.length), file);
    throw new ConvertError("invalid_gguf", `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  });
  return { g, tensors: plannedTensors(g, file) };
}

/** Throws the ConvertError `quantizeGguf` would for this source, reading only its header: for a check before a job. */
export async function assertQuantizable(params: { file: string }): Promise<void> {
  await readSource(params.file);
}

/**
 * Quantizes an F32/F16/BF16 GGUF to another file type, as llama-quantize does without an importance matrix: the
 * metadata is kept (see `quantizedMetadata`), tensors keep their order, each tensor's type comes from the same
 * `chooseTensorTypes` as checkpoint conversion (1-D tensors keep their type), and the data streams through
 * `writeGgufFile`'s worker threads with bounded memory into an atomically renamed file. The source is validated
 * first (lib/gguf's reader: truncation, tensors overlapping or outside the file): on any error nothing is written.
 */
export async function quantizeGguf(params: QuantizeGgufParams): Promise<QuantizeGgufResult> {
  const { inFile, outFile } = params;
  const type = parseQuantizeType(params.type);
  abortCheck(params.signal)();
  if (path.resolve(inFile) === path.resolve(outFile)) throw new ConvertError("unsupported_type", "the output would replace the input; choose another --out", inFile);
  const { g, tensors } = await readSource(inFile);
  const mixed = chooseTensorTypes({
    outType: type,
    tensors: tensors.map((t, i) => ({ name: t.name, shape: t.shape, sourceType: g.tensors[i]!.type })),
    model: mixModel(g),
  });
  // llama-quantize quantizes only tensors of 2 or more dimensions; the rest (norms) are copied as they are.
  const types = mixed.map((t, i) => (tensors[i]!.shape.length >= 2 ? t : g.tensors[i]!.type));
  const r = await writeGgufFile({
    outFile,
    plan: async () => ({ kvs: quantizedMetadata(g, type), tensors, types, kernels: kernelsFor(type) }),
    alignment: g.alignment,
    onProgress: params.onProgress,
    signal: params.signal,
    threads: params.threads,
    durable: params.durable,
  });
  const arch = g.metadata["general.architecture"]?.value;
  return { ...r, fileType: type.toUpperCase(), architecture: typeof arch === "string" ? arch : null };
}
