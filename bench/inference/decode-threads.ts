// How llama.cpp's CPU decode through node-llama-cpp depends on the thread count, and on which thread calls it:
// node-llama-cpp runs every llama_decode as an N-API async work item on any of libuv's pool threads. Run it twice,
// as is and with UV_THREADPOOL_SIZE=1 (every decode on the same thread), and compare.
//   node_modules/.bin/tsx bench/inference/decode-threads.ts <model.gguf> [threads,...]
import os from "node:os";
import { getLlama } from "node-llama-cpp";
import type { NativeContext } from "../../lib/inference/native-llama";

const [modelPath, list] = process.argv.slice(2);
if (!modelPath) throw new Error("usage: decode-threads.ts <model.gguf> [threads,...]");
const threadCounts = (list ?? `1,2,4,8,${os.availableParallelism()}`).split(",").map(Number).filter((t) => t <= os.availableParallelism());
const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: "error" as never });
const model = await llama.loadModel({ modelPath });
console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "(default 4)"}, ${os.availableParallelism()} CPUs`);
for (const threads of [...new Set(threadCounts)]) {
  const context = await model.createContext({ sequences: 1, contextSize: 1024, threads });
  const native = (context as unknown as { _ctx: NativeContext })._ctx;
  native.initBatch(256);
  native.addToBatch(0, 0, Uint32Array.from({ length: 256 }, (_, i) => 100 + i), Uint32Array.of(255));
  await native.decodeBatch();
  const steps = 200;
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    native.initBatch(1);
    native.addToBatch(0, 256 + i, Uint32Array.of(200 + (i % 100)), Uint32Array.of(0));
    await native.decodeBatch();
  }
  console.log(`threads ${threads}: ${((performance.now() - started) / steps).toFixed(3)} ms per one-token decode`);
  await context.dispose();
}
await model.dispose();
