import { GgmlType } from "../../gguf";
import { f32ToF16Bits } from "./float-bits";
import type { Quant } from "./types";

export const f16: Quant = {
  ggmlType: GgmlType.F16,
  quantize(src, dst) {
    const out = new Uint16Array(dst.buffer, dst.byteOffset, src.length);
    for (let i = 0; i < src.length; i++) out[i] = f32ToF16Bits(src[i]!);
  },
};
