// Entry point of a worker process: `npm run worker` (or spawned by `npm start`).
import { logger } from "../lib/log/logger";
import { startWorker } from "./main";

const log = logger("worker");
const { stop } = await startWorker();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("shutdown failed", { err });
        process.exit(1);
      },
    );
  });
}
