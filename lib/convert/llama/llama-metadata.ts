import { GGML_QUANT_VERSION, GgufValueType, sizeLabel, type GgufKv } from "../../gguf";
import { llamaFileType, type FileType } from "../quants";
import type { LlamaHparams } from "./read-llama-hparams";

/**
 * The GGUF metadata of a Llama model: the same keys in the same order as convert_hf_to_gguf.py, so the header
 * matches llama.cpp's byte for byte. `tokenizerKv` comes from the tokenizer module, `samplingKv` from
 * generation_config.json. Llama 3.x follows the llama.cpp that node-llama-cpp bundles (attention key/value lengths,
 * quantization version before the tokenizer); Llama 1/2 keep the layout of the earlier converter their references
 * and the Llama 2 GGUFs in circulation come from.
 */
export function llamaMetadata(params: {
  hparams: LlamaHparams & { vocabSize: number };
  tokenizerKv: GgufKv[];
  samplingKv: GgufKv[];
  llama3: boolean;
  type: FileType;
  name: string;
  parameterCount: number;
}): GgufKv[] {
  const h = params.hparams;
  const u32 = (key: string, value: number): GgufKv => ({ key, type: GgufValueType.UINT32, value });
  const f32 = (key: string, value: number): GgufKv => ({ key, type: GgufValueType.FLOAT32, value });
  const str = (key: string, value: string): GgufKv => ({ key, type: GgufValueType.STRING, value });
  const headDim = h.embeddingLength / h.headCount;
  const quantVersion = u32("general.quantization_version", GGML_QUANT_VERSION);
  return [
    str("general.architecture", "llama"),
    str("general.type", "model"),
    ...params.samplingKv,
    str("general.name", params.name),
    str("general.size_label", sizeLabel({ parameterCount: params.parameterCount })),
    u32("llama.block_count", h.blockCount),
    u32("llama.context_length", h.contextLength),
    u32("llama.embedding_length", h.embeddingLength),
    u32("llama.feed_forward_length", h.feedForwardLength),
    u32("llama.attention.head_count", h.headCount),
    u32("llama.attention.head_count_kv", h.headCountKv),
    f32("llama.rope.freq_base", h.ropeFreqBase),
    f32("llama.attention.layer_norm_rms_epsilon", h.rmsEps),
    ...(params.llama3 ? [u32("llama.attention.key_length", headDim), u32("llama.attention.value_length", headDim)] : []),
    u32("general.file_type", llamaFileType(params.type)),
    u32("llama.vocab_size", h.vocabSize),
    u32("llama.rope.dimension_count", h.ropeDimensionCount),
    ...(h.ropeScalingLinear === undefined
      ? []
      : [str("llama.rope.scaling.type", "linear"), f32("llama.rope.scaling.factor", h.ropeScalingLinear)]),
    ...(params.llama3 ? [quantVersion] : []),
    ...params.tokenizerKv,
    ...(params.llama3 ? [] : [quantVersion]),
  ];
}
