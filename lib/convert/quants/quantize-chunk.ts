import { GGML_QUANT_SIZES, type GgmlType } from "../../gguf";
import { DTYPE_BYTES, type SourceDtype } from "../readers";
import { decodeSource } from "./decode-source";
import { QUANTS } from "./registry";

export type QuantizeJob = { bytes: Uint8Array; dtype: SourceDtype; ggmlType: GgmlType; outBytes: number };

/** Elements widened to float32 at a time: small enough to stay in L1/L2, a multiple of every block size. */
const SLICE = 8192;
const scratch = new Float32Array(SLICE);

/** Source bytes → output-type bytes, decoding a cache-sized slice at a time. */
export function quantizeChunk(job: QuantizeJob): Uint8Array {
  const quant = QUANTS.get(job.ggmlType);
  if (!quant) throw new Error(`no quantizer for GGML type ${job.ggmlType}`);
  const [blockSize, typeSize] = GGML_QUANT_SIZES[job.ggmlType];
  const bytes = job.bytes.byteOffset % DTYPE_BYTES[job.dtype] === 0 ? job.bytes : job.bytes.slice();
  const n = bytes.byteLength / DTYPE_BYTES[job.dtype];
  const dst = new Uint8Array(job.outBytes);
  for (let start = 0; start < n; start += SLICE) {
    const count = Math.min(SLICE, n - start);
    const src = scratch.subarray(0, count);
    decodeSource(bytes, job.dtype, start, count, src);
    const at = (start / blockSize) * typeSize;
    quant.quantize(src, dst.subarray(at, at + (count / blockSize) * typeSize));
  }
  return dst;
}
