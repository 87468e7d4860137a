import { Redis } from "ioredis";
import { config } from "../config/env";

/**
 * Redis connections for BullMQ. Workers block on Redis and must retry forever (maxRetriesPerRequest null);
 * the web side fails fast so an HTTP request never hangs on a Redis outage.
 */
export function redisConnection(role: "web" | "worker", url = redisUrl()): Redis {
  return role === "worker"
    ? new Redis(url, { maxRetriesPerRequest: null })
    : new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
}

export function redisUrl(): string {
  const url = config().REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set (npm start sets it when it starts the embedded Redis)");
  return url;
}

const globalForRedis = globalThis as unknown as { depotWebRedis?: Redis };

/** The web process's one fail-fast connection (queues, rate limits, cancel broadcasts). */
export function webRedis(): Redis {
  globalForRedis.depotWebRedis ??= redisConnection("web");
  return globalForRedis.depotWebRedis;
}

export function closeWebRedis(): void {
  globalForRedis.depotWebRedis?.disconnect();
  globalForRedis.depotWebRedis = undefined;
}
