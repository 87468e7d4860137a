import type { Redis } from "ioredis";
import { redisConnection } from "../redis/connection";
import { streamChannel, type StreamEvent } from "./stream-events";

const globalForPub = globalThis as unknown as { depotStreamPub?: Redis };

/** Publishes one event of an interactive request (worker side; one connection per process). */
export async function publishStreamEvent(requestId: string, event: StreamEvent): Promise<void> {
  globalForPub.depotStreamPub ??= redisConnection("worker");
  await globalForPub.depotStreamPub.publish(streamChannel(requestId), JSON.stringify(event));
}
