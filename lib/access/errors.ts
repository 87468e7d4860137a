import { DepotError } from "../errors";

export type AccessErrorCode = "not_found" | "exists" | "unknown_group";

/** What access checks and group changes refuse; lib/http/errors.ts gives each code its status. */
export class AccessError extends DepotError<AccessErrorCode> {
  override readonly name = "AccessError";
}
