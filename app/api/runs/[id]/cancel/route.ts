import { assertRunVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { cancelRun } from "@/lib/runs/cancel-run";

export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  await assertRunVisible(principal.user, params.id);
  const r = await cancelRun({ id: params.id, actor: principal.user });
  await recordAudit({ actor: principal, action: "run.cancel", target: params.id, detail: r, ip });
  return Response.json(r);
});
