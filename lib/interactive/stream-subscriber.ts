import type { Redis } from "ioredis";
import { redisConnection } from "../redis/connection";
import type { StreamEvent } from "./stream-events";

type Sub = { redis: Redis; handlers: Map<string, (e: StreamEvent) => void> };
const globalForSub = globalThis as unknown as { depotStreamSub?: Sub };

function sub(): Sub {
  if (!globalForSub.depotStreamSub) {
    const redis = redisConnection("web");
    const handlers = new Map<string, (e: StreamEvent) => void>();
    redis.on("message", (channel: string, message: string) => handlers.get(channel)?.(JSON.parse(message) as StreamEvent));
    globalForSub.depotStreamSub = { redis, handlers };
  }
  return globalForSub.depotStreamSub;
}

/** Listens to one request's channel on the web process's one subscriber connection; resolves once subscribed. */
export async function subscribeStream(channel: string, handler: (e: StreamEvent) => void): Promise<() => void> {
  const s = sub();
  s.handlers.set(channel, handler);
  await s.redis.subscribe(channel);
  return () => {
    s.handlers.delete(channel);
    void s.redis.unsubscribe(channel).catch(() => {});
  };
}
