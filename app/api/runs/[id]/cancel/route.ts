import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { cancelRun } from "@/lib/runs/cancel-run";

export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  const r = await cancelRun({ id: params.id });
  await recordAudit({ actor: principal, action: "run.cancel", target: params.id, detail: r, ip });
  return Response.json(r);
});
