import { GgmlType } from "../../gguf";
import type { Quant } from "./types";

/** gguf-py's BF16.quantize_blocks (= ggml_compute_fp32_to_bf16): NaN forced quiet, round to nearest even. */
export const bf16: Quant = {
  ggmlType: GgmlType.BF16,
  kernel: (src, dst) => {
    const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
    const out = new Uint16Array(dst.buffer, dst.byteOffset, src.length);
    for (let i = 0; i < bits.length; i++) {
      let n = bits[i]!;
      if ((n & 0x7fffffff) >>> 0 > 0x7f800000) n = ((n & 0xffff0000) | (64 << 16)) >>> 0;
      out[i] = Math.floor((n + 0x7fff + ((n >>> 16) & 1)) / 65536) & 0xffff;
    }
  },
};
