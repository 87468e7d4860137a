import { z } from "zod";
import { assertModelVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { startVerify } from "@/lib/models/start-verify";
import { storeIdField } from "@/lib/queue/payloads";

export const POST = withRole<{ id: string }>("member", async ({ req, params, principal, ip }) => {
  await assertModelVisible(principal, { id: params.id }, ip);
  const { storeId } = z.object({ storeId: storeIdField }).parse(await readJson(req, {}));
  const r = await startVerify({ modelId: params.id, storeId, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "model.verify", target: params.id, detail: r, ip });
  return Response.json(r, { status: 201 });
});
