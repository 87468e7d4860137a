import { DepotError } from "../errors";

export type RunErrorCode = "invalid_rows" | "empty" | "not_found" | "finished";

export type RowError = { row: number; message: string };

export class RunError extends DepotError<RunErrorCode> {
  constructor(
    code: RunErrorCode,
    message: string,
    /** Row-level problems of an upload (1-based rows; the CSV header is row 1). */
    readonly rows: RowError[] = [],
  ) {
    super(code, message);
  }
}
