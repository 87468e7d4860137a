import { ModelPlacementError } from "./errors";
import type { GpuDevice } from "./gpu-devices";

/** INFERENCE_SPLIT_MODE: llama.cpp's split modes (LLAMA_SPLIT_MODE_LAYER, _ROW, _NONE). */
export type SplitMode = "layer" | "row" | "none";
export type SplitSettings = { mode: SplitMode; proportions: number[] | null };

const NATIVE_SPLIT_MODE = { none: 0, layer: 1, row: 2 } as const;

/** What the patched AddonModel reads beside node-llama-cpp's own options (scripts/patch-node-llama-cpp.ts). */
export type NativeSplitOptions = { splitMode?: number; mainGpu?: number; tensorSplit?: number[] };

export type Placement = {
  /** Fraction of the model on each device, by index (sums to 1; no devices: the one entry is host memory). */
  shares: number[];
  /** Bytes charged to each device: its share of the model's estimated need. */
  charges: number[];
  /** Empty where llama.cpp's defaults place it so (one device; a layer split by free VRAM): loads on any build. */
  native: NativeSplitOptions;
};

/** INFERENCE_TENSOR_SPLIT "3,1" → [3, 1]; "" → null (llama.cpp's split by free VRAM). */
export function parseTensorSplit(spec: string): number[] | null {
  if (spec.trim() === "") return null;
  const p = spec.split(",").map(Number);
  if (p.some((x) => !(x >= 0)) || p.reduce((a, b) => a + b, 0) <= 0) throw new ModelPlacementError("bad_split", `INFERENCE_TENSOR_SPLIT "${spec}": expected non-negative proportions, not all zero`);
  return p;
}

export function deviceLabel(d: GpuDevice): string {
  return `GPU ${d.index}${d.hostIndex !== undefined && d.hostIndex !== d.index ? ` (host GPU ${d.hostIndex})` : ""} "${d.name}"`;
}

function placement(shares: number[], bytes: number, native: NativeSplitOptions): Placement {
  return { shares, charges: shares.map((s) => Math.ceil(s * bytes)), native };
}

/**
 * Where a model of `bytes` could go on these devices, best first: the whole of it on the one device; with a split,
 * the share of each device (the given proportions, else llama.cpp's default, in proportion to free VRAM); with
 * mode none, each device on its own, the one with the most free memory first.
 */
export function candidatePlacements(devices: GpuDevice[], split: SplitSettings, bytes: number): Placement[] {
  if (devices.length <= 1) return [placement([1], bytes, {})];
  if (split.mode === "none") {
    return [...devices]
      .sort((a, b) => b.freeBytes - a.freeBytes)
      .map((d) => placement(devices.map((o) => (o.index === d.index ? 1 : 0)), bytes, { splitMode: NATIVE_SPLIT_MODE.none, mainGpu: d.index }));
  }
  const given = split.proportions;
  if (given && given.length > devices.length) {
    throw new ModelPlacementError("bad_split", `INFERENCE_TENSOR_SPLIT has ${given.length} proportions, but this worker has ${devices.length} GPUs: ${devices.map(deviceLabel).join(", ")}`);
  }
  const weights = given ? devices.map((d) => given[d.index] ?? 0) : devices.map((d) => d.freeBytes);
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = sum > 0 ? weights.map((w) => w / sum) : devices.map(() => 1 / devices.length);
  const native: NativeSplitOptions = {
    ...(split.mode === "row" ? { splitMode: NATIVE_SPLIT_MODE.row } : {}),
    ...(given ? { tensorSplit: devices.map((d) => given[d.index] ?? 0) } : {}),
  };
  return [placement(shares, bytes, native)];
}

/** The first candidate every device of which has room for its charge beside `used`, within `budgets`. */
export function fittingPlacement(candidates: Placement[], used: number[], budgets: number[]): Placement | null {
  return candidates.find((c) => c.charges.every((charge, i) => charge === 0 || (used[i] ?? 0) + charge <= (budgets[i] ?? 0))) ?? null;
}

const mib = (b: number) => Math.round(b / 2 ** 20);

/** Why a model fits no placement even with nothing else resident, naming each device it would not fit on. */
export function refusal(file: string, bytes: number, devices: GpuDevice[], budgets: number[], candidates: Placement[]): ModelPlacementError {
  if (devices.length === 0) {
    return new ModelPlacementError("too_large", `${file} needs about ${mib(bytes)} MiB, more than the inference budget (${mib(budgets[0] ?? 0)} MiB)`);
  }
  const overs = candidates.map((c) =>
    devices
      .filter((d) => (c.charges[d.index] ?? 0) > (budgets[d.index] ?? 0))
      .map((d) => `${deviceLabel(d)} would take ${mib(c.charges[d.index] ?? 0)} MiB of its ${mib(budgets[d.index] ?? 0)} MiB budget`)
      .join(", "),
  );
  return new ModelPlacementError("too_large", `${file} needs about ${mib(bytes)} MiB and fits on none of this worker's GPUs: ${overs.join("; or ")}`);
}
