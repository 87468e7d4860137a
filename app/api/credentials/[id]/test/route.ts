import { recordAudit } from "@/lib/audit/record-audit";
import { config } from "@/lib/config/env";
import { testCredential } from "@/lib/credentials/test-credential";
import { withRole } from "@/lib/http/route";

/** "Test this token": the Hub's whoami for a saved Hugging Face token (200 with ok: false when the Hub refuses it). */
export const POST = withRole<{ id: string }>("admin", async ({ params, principal, ip }) => {
  const result = await testCredential({ id: params.id, hubUrl: config().HF_ENDPOINT });
  await recordAudit({ actor: principal, action: "credential.test", target: params.id, detail: { ok: result.ok }, ip });
  return Response.json(result);
});
