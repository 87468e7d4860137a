export type SourceDtype = "F32" | "F16" | "BF16";

export const DTYPE_BYTES: Record<SourceDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** A checkpoint tensor: a contiguous, row-major region of one file, read lazily by offset. */
export type SourceTensor = {
  name: string;
  dtype: SourceDtype;
  /** PyTorch order: outermost dimension first. */
  shape: number[];
  file: string;
  /** Absolute byte offset in `file`. */
  offset: number;
  bytes: number;
};
