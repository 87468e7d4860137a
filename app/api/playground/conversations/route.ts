import { withRole } from "@/lib/http/route";
import { listConversations } from "@/lib/playground/list-conversations";

export const GET = withRole("viewer", async ({ principal }) => Response.json({ conversations: await listConversations({ userId: principal.user.id }) }));
