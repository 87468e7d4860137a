import { z } from "zod";
import { readJson, withRole } from "@/lib/http/route";
import { listPresets, savePreset } from "@/lib/playground/presets";

const body = z.object({
  name: z.string().trim().min(1).max(100),
  systemPrompt: z.string().max(20_000).nullable().default(null),
  params: z.record(z.string(), z.unknown()).default({}),
});

export const GET = withRole("viewer", async ({ principal }) => Response.json({ presets: await listPresets({ userId: principal.user.id }) }));

/** Saves the caller's preset by name (an existing name is overwritten). */
export const POST = withRole("member", async ({ req, principal }) => {
  const b = body.parse(await readJson(req));
  return Response.json(await savePreset({ userId: principal.user.id, ...b }));
});
