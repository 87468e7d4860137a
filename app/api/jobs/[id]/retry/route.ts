import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { retryJob } from "@/lib/jobs/job-actions";

export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  await retryJob(params.id);
  await recordAudit({ actor: principal, action: "job.retry", target: params.id, ip });
  return Response.json({ ok: true });
});
