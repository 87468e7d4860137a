import path from "node:path";
import type { GgufKv } from "../../gguf";
import type { DetectedCheckpoint } from "../detect-checkpoint-format";
import { ConvertError } from "../errors";
import { readPytorchZip, readSafetensorsDir } from "../readers";
import { buildBpeVocab, buildLlamaVocab, detectTokenizer, type MetaLlama3Options } from "../tokenizer";
import { planLlamaTensors, validateLlamaTensors, type PlannedTensor } from "./plan-llama-tensors";
import { readHfHparams, readMetaHparams, type LlamaHparams } from "./read-llama-hparams";
import { llama3RopeFactors } from "./rope-freqs";
import { readSamplingMetadata } from "./sampling-metadata";

export type LlamaCheckpoint = {
  hparams: LlamaHparams & { vocabSize: number };
  tensors: PlannedTensor[];
  tokenizerKv: GgufKv[];
  /** generation_config.json's sampling defaults. */
  samplingKv: GgufKv[];
  /** Llama 3.x (a byte-level BPE tokenizer): metadata follows llama.cpp's current converter (see llamaMetadata). */
  llama3: boolean;
  /** Tensors the checkpoint does not hold but llama.cpp writes first (Llama 3.1's `rope_freqs.weight`), F32. */
  generated: { name: string; data: Float32Array }[];
};

/**
 * What a Meta Llama 3 folder does not say about itself: Meta's CLI names folders after the model
 * ("Llama3.2-3B-Instruct", "Llama-3.1-8B-Instruct"); a folder without output.weight (tied embeddings) is a 3.2.
 */
function metaLlama3Options(dir: string, tied: boolean): MetaLlama3Options {
  const name = path.basename(path.resolve(dir));
  return { version: tied || /3[._]2/.test(name) ? "3.2" : "3.1", instruct: /instruct/i.test(name) };
}

/** Reads everything but tensor data: hyper-parameters, the tensor plan and the tokenizer, all checked. */
export async function loadLlamaCheckpoint(params: { dir: string; checkpoint: DetectedCheckpoint }): Promise<LlamaCheckpoint> {
  const { dir, checkpoint } = params;
  let hparams: LlamaHparams;
  let tensors: PlannedTensor[];
  const tokenizer = await detectTokenizer({ dir });
  const llama3 = tokenizer.kind === "bpe";
  if (checkpoint.format === "meta") {
    const shards = [];
    for (const f of checkpoint.files) shards.push(await readPytorchZip({ file: path.join(dir, f) }));
    // Meta's Llama 3 shards split the embedding by rows (vocab), Llama 2's by columns.
    tensors = planLlamaTensors({ layout: "meta", shards, embeddingSplitAxis: llama3 ? 0 : 1 });
    const gate = tensors.find((t) => t.name === "blk.0.ffn_gate.weight");
    hparams = await readMetaHparams({ dir, feedForwardLength: gate?.shape[0] ?? 0, llama3 });
  } else {
    // Read config.json first, so an unsupported architecture is reported as such rather than as odd tensor names.
    hparams = await readHfHparams({ dir });
    let source;
    if (checkpoint.format === "safetensors") {
      source = await readSafetensorsDir({ dir, files: checkpoint.files });
    } else {
      source = [];
      for (const f of checkpoint.files) source.push(...(await readPytorchZip({ file: path.join(dir, f) })));
    }
    tensors = planLlamaTensors({ layout: "hf", shards: [source], heads: { q: hparams.headCount, kv: hparams.headCountKv } });
  }
  const embd = tensors.find((t) => t.name === "token_embd.weight");
  const vocabSize = hparams.vocabSize ?? embd?.shape[0] ?? 0;
  if (embd && hparams.vocabSize !== null && embd.shape[0] !== hparams.vocabSize) {
    const file = path.join(dir, checkpoint.format === "meta" ? "params.json" : "config.json");
    throw new ConvertError("invalid_config", `vocab_size ${hparams.vocabSize} disagrees with the ${embd.shape[0]} rows of the token embeddings`, file);
  }
  validateLlamaTensors({ tensors, hparams, vocabSize });
  let tokenizerKv: GgufKv[];
  if (tokenizer.kind === "sentencepiece") tokenizerKv = await buildLlamaVocab({ dir, vocabSize });
  else if (tokenizer.form === "hf") tokenizerKv = await buildBpeVocab({ dir, vocabSize, form: "hf" });
  else {
    const tied = !tensors.some((t) => t.name === "output.weight");
    tokenizerKv = await buildBpeVocab({ dir, vocabSize, form: "meta", meta: metaLlama3Options(dir, tied) });
  }
  const generated = hparams.ropeLlama3
    ? [{ name: "rope_freqs.weight", data: llama3RopeFactors({ headDim: hparams.ropeDimensionCount, base: hparams.ropeFreqBase, scaling: hparams.ropeLlama3 }) }]
    : [];
  const samplingKv = await readSamplingMetadata({ dir });
  return { hparams: { ...hparams, vocabSize }, tensors, tokenizerKv, samplingKv, llama3, generated };
}
