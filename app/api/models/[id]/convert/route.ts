import { z } from "zod";
import { assertModelVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { startConvert } from "@/lib/models/start-convert";
import { convertTypes, storeIdField } from "@/lib/queue/payloads";

export const POST = withRole<{ id: string }>("member", async ({ req, params, principal, ip }) => {
  const { type, storeId } = z.object({ type: z.enum(convertTypes), storeId: storeIdField }).parse(await readJson(req));
  await assertModelVisible(principal, { id: params.id }, ip);
  const r = await startConvert({ modelId: params.id, type, storeId, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "model.convert", target: params.id, detail: { type, storeId, ...r }, ip });
  return Response.json(r, { status: 201 });
});
