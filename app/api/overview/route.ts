import { withRole } from "@/lib/http/route";
import { getOverview } from "@/lib/overview/get-overview";

export const GET = withRole("viewer", async () => Response.json(await getOverview()));
