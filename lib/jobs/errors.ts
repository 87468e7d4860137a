import { DepotError } from "../errors";

export type JobErrorCode = "not_found" | "not_owner" | "bad_queue" | "interactive" | "not_failed" | "finished" | "active";

/** What acting on a job refuses; lib/http/errors.ts gives each code its status. */
export class JobError extends DepotError<JobErrorCode> {
  override readonly name = "JobError";
}
