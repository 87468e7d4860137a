import { DepotError } from "../errors";

export type CredentialErrorCode = "not_found" | "unknown_group" | "not_testable";

/** What reading, sharing or testing a credential refuses; lib/http/errors.ts gives each code its status. */
export class CredentialError extends DepotError<CredentialErrorCode> {
  override readonly name = "CredentialError";
}
