import { readJson } from "@/lib/http/route";
import { handleGeneration } from "@/lib/openai/handle-generation";
import { chatRequest, chatToGeneration } from "@/lib/openai/openai-request";
import { openaiRoute } from "@/lib/http/openai-route";

export const POST = openaiRoute("member", async ({ req, principal }) => {
  const body = chatRequest.parse(await readJson(req));
  return handleGeneration({
    kind: "chat",
    req,
    principal,
    model: body.model,
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
    generation: chatToGeneration(body),
  });
});
