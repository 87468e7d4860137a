import type { GgmlType, GgufValueType } from "./constants";

export type GgufScalarType = Exclude<GgufValueType, GgufValueType.ARRAY>;
export type GgufScalar = number | bigint | boolean | string;

/** One metadata value with its GGUF type; arrays hold scalars of one item type. */
export type GgufValue =
  | { type: GgufScalarType; value: GgufScalar }
  | { type: GgufValueType.ARRAY; itemType: GgufScalarType; value: readonly GgufScalar[] | ArrayLike<number> };

export type GgufKv = { key: string } & GgufValue;

export type GgufTensorInfo = {
  name: string;
  /** GGML order: ne0 (contiguous) first. */
  shape: readonly number[];
  type: GgmlType;
  /** Size of the tensor's data in bytes. */
  bytes: number;
  /** Offset of the data from the start of the data section. */
  offset: number;
};
