import { HttpError } from "../http/errors";

export type RunErrorCode = "invalid_rows" | "empty" | "not_found" | "finished" | "quota" | "model_deleted";

export type RowError = { row: number; message: string };

const STATUS: Record<RunErrorCode, number> = { invalid_rows: 400, empty: 400, not_found: 404, finished: 409, quota: 429, model_deleted: 409 };

export class RunError extends HttpError {
  constructor(
    code: RunErrorCode,
    message: string,
    /** Row-level problems of an upload (1-based rows; a CSV's header is row 1). */
    readonly rows: RowError[] = [],
  ) {
    super(STATUS[code], code, message);
  }
}
