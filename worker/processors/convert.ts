import { convertToGguf } from "../../lib/models/convert-to-gguf";
import type { ConvertPayload } from "../../lib/queue/payloads";
import type { ProcessorContext } from "./types";

/** A downloaded checkpoint to GGUF, or a GGUF model quantized, registered as a model derived from its source. */
export async function convert(data: ConvertPayload, ctx: ProcessorContext): Promise<unknown> {
  return convertToGguf({ data, progress: ctx.progress, signal: ctx.signal });
}
