import { GGML_QUANT_SIZES, GgmlType } from "../../gguf";
import { f32ToF16Bits } from "./float-bits";
import type { Quant } from "./types";

const [QK, BLOCK_BYTES] = GGML_QUANT_SIZES[GgmlType.Q4_0];
const HALF = QK / 2;

/**
 * gguf-py's Q4_0.quantize_blocks: d = x[argmax |x|] / -8 (float32), id = 1/d, q = trunc(x * id + 8.5) computed in
 * float64 (as the reference does, to match ggml's FMA), clipped to [0, 15]; low nibbles hold the first half.
 */
export const q4_0: Quant = {
  ggmlType: GgmlType.Q4_0,
  quantize(src, dst) {
    const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
    const qv = new Uint8Array(QK);
    for (let b = 0, o = 0; b < src.length; b += QK, o += BLOCK_BYTES) {
      let amax = 0;
      let max = 0;
      for (let j = 0; j < QK; j++) {
        const x = src[b + j]!;
        if (Math.abs(x) > amax) {
          amax = Math.abs(x);
          max = x;
        }
      }
      const d = Math.fround(max / -8);
      const id = d === 0 ? 0 : Math.fround(1 / d);
      for (let j = 0; j < QK; j++) {
        const t = Math.trunc(src[b + j]! * id + 8.5);
        qv[j] = t < 0 ? 0 : t > 15 ? 15 : t;
      }
      view.setUint16(o, f32ToF16Bits(d), true);
      for (let j = 0; j < HALF; j++) dst[o + 2 + j] = qv[j]! | (qv[j + HALF]! << 4);
    }
  },
};
