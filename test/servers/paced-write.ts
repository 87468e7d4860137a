import type { ServerResponse } from "node:http";

/**
 * Writes one chunk of a response the way a CDN streams: waits for the socket to drain (or close) under
 * backpressure, then, with `throttleBps`, holds the connection to that rate measured from `startedAt`.
 * Returns false once the client is gone.
 */
export async function pacedWrite(res: ServerResponse, chunk: Buffer, pace: { startedAt: number; sentBytes: number; throttleBps?: number }): Promise<boolean> {
  if (!res.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }
  if (res.destroyed) return false;
  if (pace.throttleBps) {
    const wait = pace.startedAt + (pace.sentBytes / pace.throttleBps) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return true;
}
