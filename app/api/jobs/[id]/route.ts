import { recordAudit } from "@/lib/audit/record-audit";
import { notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";
import { removeJob } from "@/lib/jobs/job-actions";
import { getJob } from "@/lib/jobs/list-jobs";

export const GET = withRole<{ id: string }>("viewer", async ({ params, principal }) => {
  const job = await getJob(params.id, principal.user);
  if (!job) throw notFound(`job ${params.id}`);
  return Response.json({ job });
});

export const DELETE = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  await removeJob(params.id, principal.user);
  await recordAudit({ actor: principal, action: "job.remove", target: params.id, ip });
  return Response.json({ ok: true });
});
