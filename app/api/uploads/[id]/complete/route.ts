import { recordAudit } from "@/lib/audit/record-audit";
import { withRole } from "@/lib/http/route";
import { getModel } from "@/lib/models/get-model";
import { completeUpload } from "@/lib/uploads/complete-upload";
import { getUpload, uploadDto } from "@/lib/uploads/upload-store";

/** Validates the received file as GGUF and registers it as a model; answers with the model. */
export const POST = withRole<{ id: string }>("member", async ({ params, principal, ip }) => {
  const m = await getUpload(params.id, principal.user);
  const r = await completeUpload(m, (await uploadDto(m)).offset);
  await recordAudit({ actor: principal, action: "model.upload", target: r.modelId, detail: { name: m.name, fileName: m.fileName, bytes: r.bytes, sha256: r.sha256 }, ip });
  return Response.json({ model: await getModel({ id: r.modelId, user: principal.user }) }, { status: 201 });
});
