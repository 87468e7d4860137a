// Entry point of a worker process: `npm run worker` (or spawned by `npm start`).
import { logger } from "../lib/log/logger";
import { startWorker } from "./main";

const log = logger("worker");
// Handlers first: a job can start before startWorker() resolves, and a SIGTERM then must still hand it back.
const started = startWorker();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void started
      .then(({ stop }) => stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error("shutdown failed", { err });
          process.exit(1);
        },
      );
  });
}
await started;
