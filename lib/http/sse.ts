/** A text/event-stream response fed by an async iterable of `data:` payloads (objects are JSON-encoded). */
export function sseResponse(chunks: AsyncIterable<unknown>, headers: HeadersInit = {}): Response {
  const enc = new TextEncoder();
  const it = chunks[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) return controller.close();
        controller.enqueue(enc.encode(`data: ${typeof value === "string" ? value : JSON.stringify(value)}\n\n`));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no", ...headers },
  });
}
