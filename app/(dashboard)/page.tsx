import { requireUser } from "@/lib/auth/require-user";
import { db } from "@/lib/db/prisma";
import { getOverview } from "@/lib/overview/get-overview";
import { OverviewClient } from "./overview-client";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<{ forbidden?: string }> }) {
  const { user } = await requireUser();
  const [initial, models, tokens] = await Promise.all([getOverview(), db().model.count(), db().credential.count({ where: { kind: "hf_token" } })]);
  const { forbidden } = await searchParams;
  return (
    <>
      <h1>Overview</h1>
      {forbidden && <div className="notice">That page needs a higher role than {user.role}.</div>}
      <OverviewClient initial={initial} start={models === 0 ? { hasToken: tokens > 0, role: user.role } : null} />
    </>
  );
}
