import { DepotError } from "../errors";

export type PlaygroundErrorCode = "not_found" | "bad_request";

/** What a playground turn refuses; lib/http/errors.ts gives each code its status. */
export class PlaygroundError extends DepotError<PlaygroundErrorCode> {
  override readonly name = "PlaygroundError";
}
