import { Presets, SingleBar } from "cli-progress";
import type { ConvertProgress } from "../lib/convert";

const MiB = 1024 * 1024;

/** The progress bar of `depot convert` and `depot quantize`: MiB of tensor data written and the current tensor. */
export function tensorProgress(): { onProgress: (p: ConvertProgress) => void; stop: () => void } {
  const bar = new SingleBar({ format: "{bar} {percentage}% | {done}/{all} MiB | {tensor}", hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    onProgress: (p) => {
      const payload = { done: (p.bytesDone / MiB).toFixed(0), all: (p.bytesTotal / MiB).toFixed(0), tensor: p.tensor };
      if (!started) bar.start(p.bytesTotal, 0, payload);
      started = true;
      bar.update(p.bytesDone, payload);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
