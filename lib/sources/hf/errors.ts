import { DepotError } from "../../errors";

export type HfErrorCode = "invalid_repo" | "invalid_listing" | "repo_not_found" | "revision_not_found" | "gated" | "token_rejected" | "hub_unreachable";

/** Input and protocol problems of the Hugging Face source; transfer and auth failures are DownloadErrors. */
export class HfError extends DepotError<HfErrorCode> {
  // The error table in lib/http looks classes up by name, which a minified build would otherwise rename.
  override readonly name = "HfError";
}
