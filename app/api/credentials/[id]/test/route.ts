import { recordAudit } from "@/lib/audit/record-audit";
import { config } from "@/lib/config/env";
import { usableCredential } from "@/lib/credentials/credential-access";
import { readCredential } from "@/lib/credentials/read-credential";
import { withRole } from "@/lib/http/route";
import { checkHubToken } from "@/lib/sources/hf";

/** "Test this token": a Hugging Face token is asked of the Hub (whose it is); a Meta link is checked for expiry. */
export const POST = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  await usableCredential(params.id, principal.user.id);
  const c = await readCredential(params.id);
  const result =
    c.kind === "hf_token"
      ? { ok: true, detail: `accepted by the Hub as ${(await checkHubToken({ token: c.value, hubUrl: config().HF_ENDPOINT })).user}` }
      : c.expiresAt && c.expiresAt.getTime() <= Date.now()
        ? { ok: false, detail: `expired ${c.expiresAt.toISOString()}` }
        : { ok: true, detail: c.expiresAt ? `valid until ${c.expiresAt.toISOString()}` : "no expiry recorded" };
  await recordAudit({ actor: principal, action: "credential.test", target: params.id, detail: { ok: result.ok }, ip });
  return Response.json(result);
});
