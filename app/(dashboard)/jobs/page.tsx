import { requireUser } from "@/lib/auth/require-user";
import { listJobs } from "@/lib/jobs/list-jobs";
import { JobsClient } from "./jobs-client";

export default async function JobsPage() {
  const { user } = await requireUser();
  return (
    <>
      <h1>Jobs</h1>
      <JobsClient initial={await listJobs({ user })} role={user.role} email={user.email} />
    </>
  );
}
