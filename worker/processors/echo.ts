import { setTimeout as sleep } from "node:timers/promises";
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
    // The signal may have been aborted before this wait began (a shutdown during the progress write): sleep rejects at
    // once then, where a listener added now would never fire.
    await sleep(Math.min(200, total - elapsed), undefined, { signal: ctx.signal }).catch(() => {
      throw new CancelledError();
    });
  }
}
