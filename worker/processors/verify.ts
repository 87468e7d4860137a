import { verifyModel } from "../../lib/models/verify-model";
import type { VerifyPayload } from "../../lib/queue/payloads";
import type { ProcessorContext } from "./types";

/** Re-checks every file of a model against its recorded checksums. */
export async function verify(data: VerifyPayload, ctx: ProcessorContext): Promise<unknown> {
  return verifyModel({ modelId: data.modelId, progress: ctx.progress, signal: ctx.signal });
}
