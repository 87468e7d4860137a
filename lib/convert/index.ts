/**
 * Llama checkpoint → GGUF, in-process and streaming (issue 4).
 *
 * - `convertModel(params)`: a directory holding `model.safetensors` (or shards with `model.safetensors.index.json`),
 *   `pytorch_model*.bin` or Meta `consolidated.NN.pth` + tokenizer.model → one GGUF file, written atomically, with
 *   its sha256 (read back as it is written, checked against what was written). Tensors are bit-identical to llama.cpp's convert_hf_to_gguf.py (f16, q8_0; hf/ output is
 *   byte-identical). Worker threads convert and write whole chunks in parallel, so memory stays at a few chunk
 *   buffers per thread whatever the model size. `onProgress` fires per ~1 MiB chunk: throttle before forwarding it.
 * - `quantizeGguf(params)`: an F32/F16/BF16 GGUF → another file type (q8_0, q4_0, f16, bf16), as llama-quantize
 *   without an importance matrix: metadata kept, the same per-tensor type choice and streaming writer as
 *   `convertModel`; a truncated, overlapping or already-quantized source is a ConvertError before anything is written.
 * - `inspectGguf(params)`: metadata and tensor table of a GGUF file, for a detail view.
 * - `detectCheckpointFormat(params)`: which layout a directory holds, or null.
 * - Errors are `ConvertError` with a closed `code`; every code but "aborted" describes the input, so retrying the
 *   same input cannot succeed.
 */
export { convertModel, type ConvertModelParams, type ConvertModelResult, type ConvertProgress } from "./convert-model";
export { detectCheckpointFormat, type CheckpointFormat, type DetectedCheckpoint } from "./detect-checkpoint-format";
export { ConvertError, type ConvertErrorCode } from "./errors";
export { OUTPUT_TYPES, FILE_TYPES, type OutputType, type FileType } from "./quants";
export { quantizeGguf, assertQuantizable, parseQuantizeType, QUANTIZE_TYPES, type QuantizeType, type QuantizeGgufParams, type QuantizeGgufResult } from "./quantize-gguf";
