import { defineConfig } from "vitest/config";
import path from "node:path";

// Unit specs (`*.spec.ts`) and integration specs (`*.int.spec.ts`, real Redis / DB / HTTP) run here;
// browser end-to-end tests live in vitest.e2e.config.ts. `npm test` (scripts/test.ts) drives both.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.spec.ts", "worker/**/*.spec.ts", "cli/**/*.spec.ts", "test/**/*.spec.ts", "app/**/*.spec.ts", "scripts/**/*.spec.ts", "bench/**/*.spec.ts"],
    exclude: ["node_modules/**", "test/e2e/**"],
    globalSetup: ["test/setup/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
