#!/usr/bin/env node
// The `depot` command: runs the TypeScript CLI through tsx (installed with the product).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const res = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join(root, "cli", "depot.ts"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
process.exit(res.status ?? 1);
