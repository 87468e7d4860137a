import { requireUser } from "@/lib/auth/require-user";
import { getOverview } from "@/lib/overview/get-overview";
import { OverviewClient } from "./overview-client";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ forbidden?: string }> }) {
  const { user } = await requireUser();
  const initial = await getOverview();
  const { forbidden } = await searchParams;
  return (
    <>
      <h1>Overview</h1>
      {forbidden && <div className="notice">That page needs a higher role than {user.role}.</div>}
      <OverviewClient initial={initial} canEnqueue={user.role !== "viewer"} />
    </>
  );
}
