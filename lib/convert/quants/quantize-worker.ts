import { parentPort } from "node:worker_threads";
import { quantizeChunk, type QuantizeJob } from "./quantize-chunk";

// Entry point of the quantization worker threads started by QuantPool.
parentPort!.on("message", (msg: { id: number; job: QuantizeJob }) => {
  try {
    const out = quantizeChunk(msg.job);
    parentPort!.postMessage({ id: msg.id, out }, [out.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
