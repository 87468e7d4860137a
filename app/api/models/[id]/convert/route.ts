import { z } from "zod";
import { assertModelVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { startConvert } from "@/lib/models/start-convert";
import { convertTypes } from "@/lib/queue/payloads";

export const POST = withRole<{ id: string }>("member", async ({ req, params, principal, ip }) => {
  const { type } = z.object({ type: z.enum(convertTypes) }).parse(await readJson(req));
  await assertModelVisible(principal, { id: params.id }, ip);
  const r = await startConvert({ modelId: params.id, type, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "model.convert", target: params.id, detail: { type, ...r }, ip });
  return Response.json(r, { status: 201 });
});
