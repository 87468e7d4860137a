import { DepotError } from "../errors";

export type UserErrorCode = "exists" | "setup_done";

/** What creating a user refuses; lib/http/errors.ts gives each code its status. */
export class UserError extends DepotError<UserErrorCode> {
  override readonly name = "UserError";
}
