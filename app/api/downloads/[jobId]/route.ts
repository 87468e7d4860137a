import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { dismissDownload } from "@/lib/models/dismiss-download";

/** Dismisses a finished download's card: its owner or an admin. */
export const DELETE = withRole<{ jobId: string }>("member", async ({ params, principal, ip }) => {
  await dismissDownload({ jobId: params.jobId, user: principal.user });
  await recordAudit({ actor: principal, action: "download.dismiss", target: params.jobId, ip });
  return Response.json({ ok: true });
});
