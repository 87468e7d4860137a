import { withRole } from "@/lib/http/route";
import { listModels } from "@/lib/models/list-models";

export const GET = withRole("viewer", async ({ principal }) => Response.json({ models: await listModels({ user: principal.user }) }));
