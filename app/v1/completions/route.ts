import { readJson } from "@/lib/http/route";
import { handleGeneration } from "@/lib/inference/openai/handle-generation";
import { completionRequest, completionToGeneration } from "@/lib/inference/openai/openai-request";
import { openaiRoute } from "@/lib/inference/openai/openai-route";

export const POST = openaiRoute("member", async ({ req, principal }) => {
  const body = completionRequest.parse(await readJson(req));
  return handleGeneration({
    kind: "completion",
    req,
    principal,
    model: body.model,
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
    generation: completionToGeneration(body),
  });
});
