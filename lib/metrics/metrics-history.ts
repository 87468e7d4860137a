import { config } from "../config/env";
import { webRedis } from "../redis/connection";
import { collectMetrics, type MetricsSnapshot } from "./collect-metrics";

export const SAMPLE_EVERY_MS = 10_000;
const KEEP = 360; // one hour of samples

const key = () => `${config().REDIS_PREFIX}:metrics:history`;

/**
 * Appends one snapshot to the shared history in Redis. With several web processes, a short-lived lock lets one
 * of them sample per period, so the chart has one point per period whatever the deployment.
 */
export async function sampleMetrics(): Promise<boolean> {
  const redis = webRedis();
  const won = await redis.set(`${key()}:lock`, "1", "PX", SAMPLE_EVERY_MS - 500, "NX");
  if (!won) return false;
  const { snapshot } = await collectMetrics();
  await redis.multi().rpush(key(), JSON.stringify(snapshot)).ltrim(key(), -KEEP, -1).exec();
  return true;
}

export async function readMetricsHistory(): Promise<MetricsSnapshot[]> {
  return (await webRedis().lrange(key(), 0, -1)).map((s) => JSON.parse(s) as MetricsSnapshot);
}
