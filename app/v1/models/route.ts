import { listRunnableModels } from "@/lib/models/list-runnable-models";
import { openaiRoute } from "@/lib/http/openai-route";

export const GET = openaiRoute("viewer", async ({ principal }) => {
  const models = await listRunnableModels({ user: principal.user });
  return Response.json({
    object: "list",
    data: models.map((m) => ({ id: m.name, object: "model", created: Math.floor(new Date(m.createdAt).getTime() / 1000), owned_by: "llama-depot" })),
  });
});
