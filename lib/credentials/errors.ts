import { DepotError } from "../errors";

export type CredentialErrorCode = "not_testable";

/** Misuse of a saved credential (say, testing a Meta link as if it were a Hub token). */
export class CredentialError extends DepotError<CredentialErrorCode> {}
