import { CancelledError } from "../../lib/errors";
import type { EchoPayload } from "../../lib/queue/payloads";
import type { ProcessorContext } from "./types";

/** The trivial job: waits `seconds`, reporting progress about five times a second. */
export async function echo(data: EchoPayload, ctx: ProcessorContext): Promise<{ message: string }> {
  const total = data.seconds * 1000;
  const start = Date.now();
  for (;;) {
    const elapsed = Date.now() - start;
    await ctx.progress({ pct: total === 0 ? 100 : Math.min(100, (elapsed / total) * 100), message: `echo ${data.message}` });
    if (elapsed >= total) return { message: data.message };
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, Math.min(200, total - elapsed));
      ctx.signal.addEventListener("abort", () => (clearTimeout(t), reject(new CancelledError())), { once: true });
    });
  }
}
