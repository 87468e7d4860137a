import { GGML_QUANT_SIZES, GgmlType } from "../../gguf";
import { f32ToF16Bits } from "./float-bits";
import type { Quant } from "./types";

const [QK, BLOCK_BYTES] = GGML_QUANT_SIZES[GgmlType.Q8_0];

/**
 * gguf-py's Q8_0.quantize_blocks in numpy float32: d = max|x| / 127, id = 1/d (0 when d is 0),
 * q = np_roundf(x * id), i.e. round half away from zero; d stored as f16 before the 32 int8 values.
 */
export const q8_0: Quant = {
  ggmlType: GgmlType.Q8_0,
  quantize(src, dst) {
    const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
    const q = new Int8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    for (let b = 0, o = 0; b < src.length; b += QK, o += BLOCK_BYTES) {
      let amax = 0;
      for (let j = 0; j < QK; j++) {
        const a = Math.abs(src[b + j]!);
        if (a > amax) amax = a;
      }
      const d = Math.fround(amax / 127);
      const id = d === 0 ? 0 : Math.fround(1 / d);
      view.setUint16(o, f32ToF16Bits(d), true);
      for (let j = 0; j < QK; j++) {
        const v = Math.fround(src[b + j]! * id);
        // floor(a) + floor(2 * (a - floor(a))) is floor(a + 0.5), exact here since |v| <= ~127.
        q[o + 2 + j] = v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
      }
    }
  },
};
