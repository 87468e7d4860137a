import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, UPLOAD_BODY_LIMIT, withRole } from "@/lib/http/route";
import { CHAT_FORMATS } from "@/lib/generation/sampling";
import { createRun } from "@/lib/runs/create-run";
import { listRuns } from "@/lib/runs/list-runs";
import { PROMPT_FORMATS } from "@/lib/runs/parse-prompts";

const createBody = z.object({
  model: z.string().min(1),
  name: z.string().max(200).optional(),
  mode: z.enum(["completion", "chat"]),
  chatFormat: z.enum(CHAT_FORMATS).optional(),
  systemPrompt: z.string().max(20_000).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  upload: z.object({ format: z.enum(PROMPT_FORMATS), content: z.string().max(50 * 2 ** 20) }),
});

export const GET = withRole("viewer", async ({ principal }) => Response.json({ runs: await listRuns({ user: principal.user }) }));

export const POST = withRole("member", async ({ req, principal, ip }) => {
  const body = createBody.parse(await readJson(req, undefined, UPLOAD_BODY_LIMIT));
  const run = await createRun({ ...body, sampling: body.params, principal });
  await recordAudit({ actor: principal, action: "run.create", target: run.id, detail: { model: body.model, mode: body.mode, total: run.total }, ip });
  return Response.json(run, { status: 201 });
});
