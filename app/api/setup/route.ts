import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { PUBLIC_BODY_LIMIT, publicRoute, readJson } from "@/lib/http/route";
import { createFirstAdmin } from "@/lib/users/create-user";

const input = z.object({ email: z.string(), name: z.string(), password: z.string() });

/** Exists only while no user exists: creates the first administrator. */
export const POST = publicRoute(async ({ req, ip }) => {
  const user = await createFirstAdmin(input.parse(await readJson(req, undefined, PUBLIC_BODY_LIMIT)));
  await recordAudit({ actor: null, action: "user.create_first_admin", target: user.email, ip });
  return Response.json({ user }, { status: 201 });
});
