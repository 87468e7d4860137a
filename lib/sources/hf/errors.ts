import { DepotError } from "../../errors";

export type HfErrorCode = "invalid_repo" | "invalid_listing";

/** Input and protocol problems of the Hugging Face source; transfer and auth failures are DownloadErrors. */
export class HfError extends DepotError<HfErrorCode> {}
