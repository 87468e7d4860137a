/** The only place queue names are spelled. App, worker and CLI import these. */
export const QUEUES = ["download", "verify", "convert", "inference", "maintenance"] as const;
export type QueueName = (typeof QUEUES)[number];

/** Redis key prefix for every BullMQ queue of this product, so a shared Redis can host other data too. */
export const QUEUE_PREFIX = "depot";
