import { config } from "../config/env";
import { webRedis } from "../redis/connection";

/**
 * Fixed-window counter in Redis, shared by every web process. Returns the seconds to wait when over the limit.
 * Login uses it per (ip, email) so one attacker cannot lock out a user from everywhere.
 */
export async function rateLimit(params: { key: string; limit: number; windowSeconds: number }): Promise<{ ok: true } | { ok: false; retryAfter: number }> {
  const key = `${config().REDIS_PREFIX}:ratelimit:${params.key}`;
  const redis = webRedis();
  const count = await redis.incr(key);
  if (count === 1) await redis.expire(key, params.windowSeconds);
  if (count <= params.limit) return { ok: true };
  const ttl = await redis.ttl(key);
  return { ok: false, retryAfter: Math.max(1, ttl) };
}

export async function resetRateLimit(key: string): Promise<void> {
  await webRedis().del(`${config().REDIS_PREFIX}:ratelimit:${key}`);
}
