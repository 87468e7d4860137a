import { notFound } from "@/lib/http/errors";
import { withRole } from "@/lib/http/route";
import { deletePreset } from "@/lib/playground/presets";

export const DELETE = withRole<{ id: string }>("member", async ({ params, principal }) => {
  if (!(await deletePreset({ id: params.id, userId: principal.user.id }))) throw notFound(`preset ${params.id}`);
  return Response.json({ ok: true });
});
