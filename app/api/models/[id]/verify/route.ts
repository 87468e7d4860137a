import { assertModelVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { startVerify } from "@/lib/models/start-verify";

export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  await assertModelVisible(principal, { id: params.id }, ip);
  const r = await startVerify({ modelId: params.id, userId: principal.user.id });
  await recordAudit({ actor: principal, action: "model.verify", target: params.id, detail: r, ip });
  return Response.json(r, { status: 201 });
});
