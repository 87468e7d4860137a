import { GgmlType } from "../../gguf";
import type { Quant } from "./types";

export const f16: Quant = {
  ggmlType: GgmlType.F16,
  kernel: (src, dst, toHalf) => {
    const out = new Uint16Array(dst.buffer, dst.byteOffset, src.length);
    for (let i = 0; i < src.length; i++) out[i] = toHalf(src[i]!);
  },
};
