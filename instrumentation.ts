// Runs once when the Next.js server starts: the web process samples the metrics history for the Overview chart.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { sampleMetrics, SAMPLE_EVERY_MS } = await import("./lib/metrics/metrics-history");
  const { logger } = await import("./lib/log/logger");
  const log = logger("metrics");
  const tick = () => void sampleMetrics().catch((err: unknown) => log.warn("metrics sample failed", { err }));
  setInterval(tick, SAMPLE_EVERY_MS).unref();
  tick();
}
