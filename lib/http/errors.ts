import { DepotError } from "../errors";

/** An error whose message is safe to show the caller, with the HTTP status it maps to. */
export class HttpError extends DepotError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

export const unauthorized = () => new HttpError(401, "unauthorized", "sign in or send an API key");
export const forbidden = (what = "this action") => new HttpError(403, "forbidden", `your role may not perform ${what}`);
export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);
export const badRequest = (message: string) => new HttpError(400, "bad_request", message);

export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}
