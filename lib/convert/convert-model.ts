import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { detectCheckpointFormat } from "./detect-checkpoint-format";
import { ConvertError } from "./errors";
import { llamaMetadata, loadLlamaCheckpoint, type LlamaCheckpoint, type PlannedTensor } from "./llama";
import { chooseTensorTypes, f16GgufType, kernelsFor, type FileType } from "./quants";
import { abortCheck, writeGgufFile, type ConvertProgress, type WriteGgufResult } from "./write-gguf";

export type { ConvertProgress } from "./write-gguf";

export type ConvertModelParams = {
  /** A directory with a Llama checkpoint: safetensors, pytorch_model*.bin or Meta consolidated.*.pth. */
  inputDir: string;
  outFile: string;
  /** convert_hf_to_gguf.py's types, or a K-quant mix as llama-quantize makes it from the F16 conversion. */
  type: FileType;
  /** Called after each chunk of tensor data is written; bytes count GGUF tensor data. */
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
  /** `general.name`. @default the input directory's name in title case ("tiny-llama" → "Tiny Llama") */
  name?: string;
  /**
   * The model's name as downloaded, when `inputDir` is a staging folder: a Meta Llama 3 folder's name is the only
   * place that says Instruct (chat template, EOS) and 3.1 vs 3.2. @default the input directory's name
   */
  sourceName?: string;
  /** Worker threads; each reads, converts and writes whole chunks. @default os.availableParallelism(), at most 8 */
  threads?: number;
  /**
   * fsync the file before the rename and its directory after, so a crash never leaves a partial file under the
   * final name. `false` skips both: much faster on slow disks, for scratch output and benchmarks.
   * @default true
   */
  durable?: boolean;
};

export type ConvertModelResult = WriteGgufResult & {
  /** The output type in GGML spelling, e.g. "Q8_0". */
  fileType: string;
  architecture: "llama";
};

function defaultName(dir: string): string {
  return path
    .basename(path.resolve(dir))
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

/**
 * Converts a Llama checkpoint directory to one GGUF file, streaming chunk by chunk with bounded memory through
 * `writeGgufFile` (worker threads, atomic temp file + fsync + rename; nothing left behind on error).
 */
export async function convertModel(params: ConvertModelParams): Promise<ConvertModelResult> {
  const { inputDir, type } = params;
  const checkAbort = abortCheck(params.signal);
  checkAbort();
  const checkpoint = await detectCheckpointFormat({ dir: inputDir }).catch((e: NodeJS.ErrnoException) => {
    throw new ConvertError("unsupported_format", `cannot read the directory (${e.code ?? e.message})`, inputDir);
  });
  if (!checkpoint) {
    throw new ConvertError("unsupported_format", "no model.safetensors, pytorch_model*.bin or consolidated.*.pth found", inputDir);
  }
  const extra = `${params.outFile}.generated-${randomBytes(6).toString("hex")}`;
  try {
    const r = await writeGgufFile({
      outFile: params.outFile,
      onProgress: params.onProgress,
      signal: params.signal,
      threads: params.threads,
      durable: params.durable,
      plan: async () => {
        const ckpt = await loadLlamaCheckpoint({ dir: inputDir, checkpoint, sourceName: params.sourceName });
        checkAbort();
        const tensors = [...(await writeGenerated(ckpt.generated, extra)), ...ckpt.tensors];
        const parameterCount = tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
        const kvs = llamaMetadata({
          hparams: ckpt.hparams,
          tokenizerKv: ckpt.tokenizerKv,
          samplingKv: ckpt.samplingKv,
          llama3: ckpt.llama3,
          type,
          name: params.name ?? defaultName(inputDir),
          parameterCount,
        });
        const h = ckpt.hparams;
        const types = chooseTensorTypes({
          outType: type,
          tensors: tensors.map((t) => ({ name: t.name, shape: t.shape, sourceType: f16GgufType(t.shape) })),
          model: { nLayers: h.blockCount, nHead: h.headCount, nHeadKv: h.headCountKv },
        });
        return { kvs, tensors, types, kernels: kernelsFor(type) };
      },
    });
    return { ...r, fileType: type.toUpperCase(), architecture: "llama" };
  } finally {
    await rm(extra, { force: true });
  }
}

/**
 * Generated tensors go through the same chunk pipeline as checkpoint ones: their bytes are written to a scratch file
 * beside the output, which the plan reads like any checkpoint region.
 */
async function writeGenerated(generated: LlamaCheckpoint["generated"], file: string): Promise<PlannedTensor[]> {
  if (generated.length === 0) return [];
  const out: PlannedTensor[] = [];
  let offset = 0;
  for (const g of generated) {
    const bytes = g.data.byteLength;
    const part = { name: g.name, dtype: "F32" as const, shape: [g.data.length], file, offset, bytes };
    out.push({ name: g.name, shape: [g.data.length], dtype: "F32", parts: [part], splitAxis: null, unpermuteHeads: null });
    offset += bytes;
  }
  await writeFile(file, Buffer.concat(generated.map((g) => Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength))));
  return out;
}
