// Builds the Next.js app when sources changed since the last build; shared by `npm start` and `npm test`.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** A cheap fingerprint of everything `next build` reads, to rebuild only when sources changed. */
function sourceFingerprint(): string {
  const h = createHash("sha256");
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) if (e !== "node_modules" && !e.startsWith(".")) walk(path.join(p, e));
    } else if (!/\.spec\.tsx?$/.test(p)) h.update(`${p}:${st.size}:${st.mtimeMs}\n`);
  };
  for (const p of ["app", "lib", "components", "prisma/schema.prisma", "next.config.js", "package-lock.json", "proxy.ts"]) {
    const abs = path.join(root, p);
    if (existsSync(abs)) walk(abs);
  }
  return h.digest("hex");
}

export async function buildIfNeeded(): Promise<void> {
  const stamp = path.join(root, ".next", "depot-source-fingerprint");
  const fp = sourceFingerprint();
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stamp) && readFileSync(stamp, "utf8") === fp) return;
  console.log("[depot] building the web app (first start or sources changed)…");
  await run(path.join(root, "node_modules", ".bin", "next"), ["build"]);
  writeFileSync(stamp, fp);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(" ")} exited with ${code}`))));
  });
}

