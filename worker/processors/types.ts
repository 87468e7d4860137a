import type { Job } from "bullmq";
import type { JobProgress } from "../../lib/queue/payloads";

export type ProcessorContext = {
  job: Job;
  signal: AbortSignal;
  workerName: string;
  /** Reports progress to BullMQ and the Job row; callers throttle. */
  progress: (p: JobProgress) => Promise<void>;
};
