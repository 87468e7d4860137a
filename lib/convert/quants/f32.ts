import { GgmlType } from "../../gguf";
import type { Quant } from "./types";

export const f32: Quant = {
  ggmlType: GgmlType.F32,
  kernel: (src, dst) => {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  },
};
