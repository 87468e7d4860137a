import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { startMetaDownload } from "@/lib/models/start-meta-download";
import { storeIdField } from "@/lib/queue/payloads";
import { metaCatalogDto } from "@/lib/sources/meta";

const body = z.object({ url: z.string().trim().min(1).max(8192), family: z.string().trim().min(1).max(40).optional(), models: z.array(z.string().trim().min(1)).min(1).max(20), storeId: storeIdField });

/** The catalog the "From Meta" form offers: families, then models. */
export const GET = withRole("viewer", async () => Response.json({ families: metaCatalogDto() }));

/** Starts a Meta download, or swaps the link into the same set's unfinished job and resumes it. */
export const POST = withRole("member", async ({ req, principal, ip }) => {
  const input = body.parse(await readJson(req));
  const r = await startMetaDownload({ url: input.url, family: input.family, models: input.models, storeId: input.storeId, user: principal.user });
  // The link is a credential: the audit trail names the models and job, never the URL.
  await recordAudit({ actor: principal, action: r.resumed ? "download.meta.relink" : "download.meta", target: r.jobId, detail: { family: input.family, models: input.models, storeId: input.storeId, expiresAt: r.expiresAt }, ip });
  return Response.json(r, { status: r.resumed ? 200 : 201 });
});
