import { DepotError } from "../../errors";

export type HfErrorCode = "invalid_repo" | "invalid_listing" | "repo_not_found" | "revision_not_found" | "gated" | "token_rejected";

/** Input and protocol problems of the Hugging Face source; transfer and auth failures are DownloadErrors. */
export class HfError extends DepotError<HfErrorCode> {}
