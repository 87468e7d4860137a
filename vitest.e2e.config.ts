import { defineConfig } from "vitest/config";
import path from "node:path";

// Browser end-to-end tests: the built app, real workers, Debian's Chromium through playwright-core.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/setup/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // A browser waiting on the server: the default 1 s poll is too short on a loaded 2-core CI machine.
    expect: { poll: { timeout: 15_000 } },
    pool: "forks",
    fileParallelism: false,
  },
});
