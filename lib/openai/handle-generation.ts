import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/record-audit";
import type { Principal } from "../auth/authenticate";
import { clientIp } from "../http/route";
import { collectResult } from "../interactive/collect-result";
import { findModel } from "../models/find-model";
import type { GenerationInput, SamplingInput } from "../generation/sampling";
import { submitInteractive } from "../interactive/submit-interactive";
import { chatBody, completionBody, openaiChunks } from "./openai-response";

/** Shared body of /v1/completions and /v1/chat/completions once the request is parsed: SSE chunks, or the JSON body. */
export async function handleGeneration(params: {
  kind: "chat" | "completion";
  req: Request;
  principal: Principal;
  model: string;
  stream: boolean;
  includeUsage: boolean;
  generation: { input: GenerationInput; sampling: SamplingInput };
}): Promise<AsyncIterable<unknown> | object> {
  const model = await findModel({ ref: params.model, principal: params.principal });
  const created = Math.floor(Date.now() / 1000);
  const id = `${params.kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID()}`;
  const request = await submitInteractive({ userId: params.principal.user.id, model, ...params.generation, signal: params.req.signal });
  await recordAudit({
    actor: params.principal,
    action: "inference.request",
    target: model.name,
    detail: { api: params.kind, jobId: request.jobId, stream: params.stream },
    ip: clientIp(params.req),
  });
  if (params.stream) {
    return openaiChunks({ kind: params.kind, id, model: model.name, created, includeUsage: params.includeUsage, events: request.events });
  }
  const result = await collectResult(request.events);
  return params.kind === "chat" ? chatBody(id, model.name, created, result) : completionBody(id, model.name, created, result);
}
