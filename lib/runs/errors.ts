import { DepotError } from "../errors";

export type RunErrorCode = "invalid_rows" | "empty" | "not_found" | "finished" | "quota" | "model_deleted";

export type RowError = { row: number; message: string };

/** What creating or acting on a run refuses; lib/http/errors.ts gives each code its status. */
export class RunError extends DepotError<RunErrorCode> {
  override readonly name = "RunError";

  constructor(
    code: RunErrorCode,
    message: string,
    /** Row-level problems of an upload (1-based rows; a CSV's header is row 1). */
    readonly rows: RowError[] = [],
  ) {
    super(code, message);
  }
}
