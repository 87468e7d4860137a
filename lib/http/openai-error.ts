/** An error in the shape OpenAI clients parse: `{ error: { message, type, param, code } }`. */
export function openaiError(status: number, message: string, code: string | null, headers?: HeadersInit): Response {
  const type = status === 401 ? "invalid_request_error" : status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
  return Response.json({ error: { message, type, param: null, code } }, { status, headers });
}
