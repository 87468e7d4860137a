import type { GgmlType } from "../../gguf";
import type { SourceDtype } from "../readers";
import { decodeSource } from "./decode-source";
import { QUANTS } from "./registry";

export type QuantizeJob = { bytes: Uint8Array; dtype: SourceDtype; ggmlType: GgmlType; outBytes: number };

/** Source bytes → output-type bytes; `scratch` is reused across calls to avoid a float32 allocation per chunk. */
export function quantizeChunk(job: QuantizeJob, scratch?: Float32Array): Uint8Array {
  const quant = QUANTS.get(job.ggmlType);
  if (!quant) throw new Error(`no quantizer for GGML type ${job.ggmlType}`);
  const src = decodeSource({ bytes: job.bytes, dtype: job.dtype, out: scratch });
  const dst = new Uint8Array(job.outBytes);
  quant.quantize(src, dst);
  return dst;
}
