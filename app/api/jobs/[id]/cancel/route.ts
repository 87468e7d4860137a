import { recordAudit } from "@/lib/audit/record-audit";
import { notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";
import { cancelJob } from "@/lib/jobs/job-actions";
import { getJob } from "@/lib/jobs/list-jobs";

export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  if (!(await getJob(params.id, principal.user))) throw notFound(`job ${params.id}`);
  await cancelJob(params.id, principal.user);
  await recordAudit({ actor: principal, action: "job.cancel", target: params.id, ip });
  return Response.json({ ok: true });
});
