import { DepotError } from "../errors";

export type StoreErrorCode = "unknown_worker" | "not_on_worker";

/** What placing work on a model store refuses; lib/http/errors.ts gives each code its status. */
export class StoreError extends DepotError<StoreErrorCode> {
  override readonly name = "StoreError";
}
