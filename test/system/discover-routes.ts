import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const appDir = path.resolve(import.meta.dirname, "../../app");
const METHOD_EXPORT = /export\s+(?:const|async function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** URL path of an app/ file: route groups "(x)" vanish, dynamic segments stay as "[id]". */
function urlPath(file: string): string {
  const rel = path.relative(appDir, path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
  return "/" + rel.join("/");
}

/** Every route handler in app/ with the HTTP methods it exports, read from the source. */
export function discoverApiRoutes(): { path: string; methods: string[] }[] {
  return walk(appDir)
    .filter((f) => path.basename(f) === "route.ts")
    .map((f) => ({ path: urlPath(f), methods: [...readFileSync(f, "utf8").matchAll(METHOD_EXPORT)].map((m) => m[1]!) }));
}

export function discoverPages(): string[] {
  return walk(appDir)
    .filter((f) => path.basename(f) === "page.tsx")
    .map(urlPath);
}
