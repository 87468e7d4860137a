import path from "node:path";
import type { GgufKv } from "../../gguf";
import type { DetectedCheckpoint } from "../detect-checkpoint-format";
import { readPytorchZip, readSafetensorsDir } from "../readers";
import { buildLlamaVocab } from "../tokenizer";
import { planLlamaTensors, validateLlamaTensors, type PlannedTensor } from "./plan-llama-tensors";
import { readHfHparams, readMetaHparams, type LlamaHparams } from "./read-llama-hparams";

export type LlamaCheckpoint = {
  hparams: LlamaHparams & { vocabSize: number };
  tensors: PlannedTensor[];
  tokenizerKv: GgufKv[];
};

/** Reads everything but tensor data: hyper-parameters, the tensor plan and the tokenizer, all checked. */
export async function loadLlamaCheckpoint(params: { dir: string; checkpoint: DetectedCheckpoint }): Promise<LlamaCheckpoint> {
  const { dir, checkpoint } = params;
  let hparams: LlamaHparams;
  let tensors: PlannedTensor[];
  if (checkpoint.format === "meta") {
    const shards = [];
    for (const f of checkpoint.files) shards.push(await readPytorchZip({ file: path.join(dir, f) }));
    tensors = planLlamaTensors({ layout: "meta", shards });
    const gate = tensors.find((t) => t.name === "blk.0.ffn_gate.weight");
    hparams = await readMetaHparams({ dir, feedForwardLength: gate?.shape[0] ?? 0 });
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
  validateLlamaTensors({ tensors, hparams, vocabSize });
  const tokenizerKv = await buildLlamaVocab({ dir, vocabSize });
  return { hparams: { ...hparams, vocabSize }, tensors, tokenizerKv };
}
