import { parentPort } from "node:worker_threads";
import { quantizeChunk, type QuantizeJob } from "./quantize-chunk";

// Entry point of the quantization worker threads started by QuantPool.
let scratch = new Float32Array(0);
parentPort!.on("message", (msg: { id: number; job: QuantizeJob }) => {
  try {
    const n = msg.job.bytes.byteLength / (msg.job.dtype === "F32" ? 4 : 2);
    if (scratch.length < n) scratch = new Float32Array(n);
    const out = quantizeChunk(msg.job, scratch);
    parentPort!.postMessage({ id: msg.id, out }, [out.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
