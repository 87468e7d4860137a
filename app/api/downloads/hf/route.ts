import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { readJson, withRole } from "@/lib/http/route";
import { startHfDownload } from "@/lib/models/start-hf-download";
import { QUANT_TAG, storeIdField } from "@/lib/queue/payloads";

const globs = z.array(z.string().trim().min(1).max(200)).max(50).default([]);
const body = z.object({
  repo: z.string().trim().regex(/^[\w.-]+\/[\w.-]+$/, "expected org/name"),
  revision: z.string().trim().max(200).default("main"),
  include: globs,
  exclude: globs,
  /** A GGUF quant tag (`Q4_K_M`): pull that GGUF as a runnable model. */
  quant: z.string().trim().regex(QUANT_TAG, "expected a quant tag like Q4_K_M").optional(),
  credentialId: z.string().min(1).optional(),
  /** Stored encrypted before the job is created; never echoed, logged or put in job data. */
  token: z.string().trim().min(1).max(400).optional(),
  storeId: storeIdField,
});

export const POST = withRole("member", async ({ req, principal, ip }) => {
  const input = body.parse(await readJson(req));
  const r = await startHfDownload({ ...input, userId: principal.user.id });
  await recordAudit({
    actor: principal,
    action: "download.hf",
    target: r.jobId,
    detail: { storeId: input.storeId, repo: input.repo, revision: input.revision, include: input.include, quant: input.quant, exclude: input.exclude, withToken: Boolean(input.token || input.credentialId) },
    ip,
  });
  return Response.json(r, { status: 201 });
});
