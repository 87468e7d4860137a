import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { replaceMetaUrl } from "@/lib/models/replace-meta-url";

/** A fresh link for an unfinished Meta download; a failed or cancelled job resumes from its partial files. */
const handler = withRole<{ jobId: string }>("member", async ({ req, params, principal, ip }) => {
  const { url } = z.object({ url: z.string().trim().min(1).max(8192) }).parse(await readJson(req));
  const r = await replaceMetaUrl({ jobId: params.jobId, url, user: principal.user });
  await recordAudit({ actor: principal, action: "download.meta.relink", target: params.jobId, detail: { expiresAt: r.expiresAt, resumed: r.resumed }, ip });
  return Response.json(r);
});
export const PUT = handler;
export const POST = handler;
