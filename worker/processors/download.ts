import { pullHfModel } from "../../lib/models/pull-hf-model";
import { pullMetaModels } from "../../lib/models/pull-meta-models";
import type { DownloadPayload } from "../../lib/queue/payloads";
import type { ProcessorContext } from "./types";

/** Meta signed link or Hugging Face repo into the model store, registered with per-file checksums. */
export async function download(data: DownloadPayload, ctx: ProcessorContext): Promise<unknown> {
  return data.source === "meta"
    ? pullMetaModels({ data, progress: ctx.progress, signal: ctx.signal, jobId: ctx.job.id })
    : pullHfModel({ data, progress: ctx.progress, signal: ctx.signal, jobId: ctx.job.id });
}
