import { assertRunVisible } from "@/lib/access/model-access";
import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { retryFailed } from "@/lib/runs/retry-failed";

/** Retries the run's failed and cancelled items. */
export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  await assertRunVisible(principal.user, params.id);
  const r = await retryFailed({ id: params.id, userId: principal.user.id, actor: principal.user });
  await recordAudit({ actor: principal, action: "run.retry", target: params.id, detail: r, ip });
  return Response.json(r);
});
