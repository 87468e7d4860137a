import { DepotError } from "../../errors";

export type MetaErrorCode = "malformed_url" | "unknown_model" | "wrong_family" | "bad_checklist";

/** Input problems of the Meta source; transfer failures are DownloadErrors. */
export class MetaError extends DepotError<MetaErrorCode> {}
