import { withRole } from "@/lib/http/route";

export const GET = withRole("viewer", async ({ principal }) => Response.json({ user: principal.user, via: principal.via }));
