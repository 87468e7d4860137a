import type { z } from "zod";

/** The query string validated by `schema`: a bad value is a ZodError, which every route answers with 400. */
export function parseQuery<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  return schema.parse(Object.fromEntries(new URL(req.url).searchParams));
}
