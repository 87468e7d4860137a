import { withRole } from "@/lib/http/route";
import { listStores } from "@/lib/stores/replicas";

/** The worker model stores (with their workers) a download, convert or verify can be aimed at. */
export const GET = withRole("viewer", async () => Response.json({ stores: await listStores() }));
