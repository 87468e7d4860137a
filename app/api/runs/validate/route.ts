import { z } from "zod";
import { readJson, UPLOAD_BODY_LIMIT, withRole } from "@/lib/http/route";
import { parsePrompts, PROMPT_FORMATS } from "@/lib/runs/parse-prompts";

const body = z.object({
  mode: z.enum(["completion", "chat"]),
  upload: z.object({ format: z.enum(PROMPT_FORMATS), content: z.string().max(50 * 2 ** 20) }),
});

/** Checks an upload before a run is created: the prompt count, every bad row, and the first prompts. */
export const POST = withRole("member", async ({ req }) => {
  const b = body.parse(await readJson(req, undefined, UPLOAD_BODY_LIMIT));
  const { items, errors } = parsePrompts({ ...b.upload, mode: b.mode });
  return Response.json({ count: items.length, errors, preview: items.slice(0, 5) });
});
