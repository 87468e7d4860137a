import type { Worker } from "bullmq";
import { logger } from "../lib/log/logger";
import { bullQueueName, type QueueName } from "../lib/queue/names";

const log = logger("worker");

/** The BullMQ workers of one process, one per queue and lane it consumes; lanes come and go with the models it holds. */
export class Subscriptions {
  private readonly workers = new Map<string, { queue: QueueName; lane: string | null; worker: Worker }>();

  constructor(private readonly make: (queue: QueueName, lane: string | null) => Worker) {}

  ensure(queue: QueueName, lane: string | null): void {
    const name = bullQueueName(queue, lane);
    if (this.workers.has(name)) return;
    this.workers.set(name, { queue, lane, worker: this.make(queue, lane) });
    log.info("consuming", { queue: name });
  }

  /** Stops consuming `queue`'s lanes not in `keep` (active jobs there finish first). */
  retain(queue: QueueName, keep: Set<string>): void {
    for (const [name, s] of this.workers) {
      if (s.queue !== queue || s.lane === null || keep.has(s.lane)) continue;
      this.workers.delete(name);
      log.info("no longer consuming", { queue: name });
      void s.worker.close().catch((err: unknown) => log.error("closing a queue consumer failed", { queue: name, err }));
    }
  }

  names(): string[] {
    return [...this.workers.keys()];
  }

  all(): Worker[] {
    return [...this.workers.values()].map((s) => s.worker);
  }
}
