import { timingSafeEqual } from "node:crypto";
import { authenticate } from "@/lib/auth/authenticate";
import { roleAtLeast } from "@/lib/auth/roles";
import { config } from "@/lib/config/env";
import { jsonError } from "@/lib/http/errors";
import { errorResponse } from "@/lib/http/route";
import { collectMetrics } from "@/lib/metrics/collect-metrics";
import { renderPrometheus } from "@/lib/metrics/prometheus";

function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, "") ?? "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Prometheus scrape endpoint: Bearer METRICS_TOKEN (for the scraper) or an administrator's session or API key. */
export async function GET(req: Request): Promise<Response> {
  try {
    const token = config().METRICS_TOKEN;
    if (!(token !== undefined && bearerMatches(req.headers.get("authorization"), token))) {
      const principal = await authenticate(req.headers);
      if (!principal) return jsonError(401, "unauthorized", "send Authorization: Bearer <METRICS_TOKEN> or an admin API key");
      if (!roleAtLeast(principal.user.role, "admin")) return jsonError(403, "forbidden", "metrics are for administrators");
    }
    const { families } = await collectMetrics();
    return new Response(renderPrometheus(families), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
  } catch (err) {
    return errorResponse(err);
  }
}
