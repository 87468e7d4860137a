import { withRole } from "@/lib/http/route";
import { listDownloads } from "@/lib/models/list-downloads";

export const GET = withRole("viewer", async ({ principal }) => Response.json({ downloads: await listDownloads({ user: principal.user }) }));
