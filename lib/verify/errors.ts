import { DepotError } from "../errors";

export type VerifyErrorCode = "bad_checklist";

export class VerifyError extends DepotError<VerifyErrorCode> {}
