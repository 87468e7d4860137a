/** The only place queue names are spelled. App, worker and CLI import these. */
export const QUEUES = ["download", "verify", "convert", "inference", "maintenance"] as const;
export type QueueName = (typeof QUEUES)[number];
