import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LAYERS } from "./layers";

const LIB = import.meta.dirname;
const ROOT = path.dirname(LIB);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !/\.spec\.tsx?$/.test(e.name) ? [p] : [];
  });
}

// Static imports and re-exports, side-effect imports, dynamic import(): every way a module names another.
const IMPORT = /(?:^|[^\w.])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsIn(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}
const importsOf = (file: string) => importsIn(readFileSync(file, "utf8"));

/** The repository path an import names, or null for a package. */
function target(file: string, spec: string): string | null {
  if (spec.startsWith("@/")) return path.join(ROOT, spec.slice(2));
  if (spec.startsWith(".")) return path.resolve(path.dirname(file), spec);
  return null;
}

/** The lib/ folder a path belongs to ("." for lib/'s own files), or null outside lib/. */
function folderOf(p: string): string | null {
  const rel = path.relative(LIB, p);
  if (rel.startsWith("..")) return null;
  const parts = rel.split(path.sep);
  if (parts.length > 1) return parts[0]!;
  // "../gguf" names the folder itself (its index.ts).
  const isDir = (() => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  })();
  return isDir ? parts[0]! : ".";
}

const layerOf = new Map<string, number>();
const uses = new Map<string, readonly string[]>();
LAYERS.forEach((l, i) => {
  for (const [folder, allowed] of Object.entries(l.folders)) {
    layerOf.set(folder, i);
    uses.set(folder, allowed);
  }
});

describe("lib/ layers (lib/layers.ts)", () => {
  it("names every folder of lib/ once", () => {
    const folders = readdirSync(LIB, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const named = LAYERS.flatMap((l) => Object.keys(l.folders));
    expect(named.filter((f, i) => named.indexOf(f) !== i)).toEqual([]);
    expect(folders.filter((f) => !layerOf.has(f))).toEqual([]);
    expect(named.filter((f) => f !== "." && !folders.includes(f))).toEqual([]);
  });

  it("lets a folder use only folders of its own layer that come before it (no loops)", () => {
    const bad: string[] = [];
    for (const l of LAYERS) {
      const order = Object.keys(l.folders);
      for (const [folder, allowed] of Object.entries(l.folders)) {
        for (const a of allowed) if (!(a in l.folders) || order.indexOf(a) >= order.indexOf(folder)) bad.push(`${folder} -> ${a}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("has every import of lib/ point down the table", () => {
    const wrong: string[] = [];
    for (const file of sources(LIB)) {
      const from = folderOf(file)!;
      for (const spec of importsOf(file)) {
        const t = target(file, spec);
        if (!t) continue;
        const to = folderOf(t);
        const where = `${path.relative(ROOT, file)} imports ${spec}`;
        if (to === null) {
          if (!path.relative(ROOT, t).startsWith(`prisma${path.sep}generated`)) wrong.push(`${where}: outside lib/`);
          continue;
        }
        if (to === from) continue;
        const [a, b] = [layerOf.get(from), layerOf.get(to)];
        if (a === undefined || b === undefined) wrong.push(`${where}: a folder not in lib/layers.ts`);
        else if (a < b) wrong.push(`${where}: ${LAYERS[a]!.layer} may not import ${LAYERS[b]!.layer}`);
        else if (a === b && !uses.get(from)!.includes(to)) wrong.push(`${where}: ${from} may not use ${to} (lib/layers.ts)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("reads imports of every form", () => {
    const source = [
      'import { a, type B } from "./one";',
      'import type {\n  C,\n} from "../two";',
      'import * as d from "@/lib/three";',
      'import "./four";',
      'export { e } from "./five";',
      'export * from "./six";',
      'const f = await import("./seven");',
      '// import { g } from "./commented";',
    ].join("\n");
    expect(importsIn(source)).toEqual(["./one", "../two", "@/lib/three", "./four", "./five", "./six", "./seven"]);
    expect(sources(LIB).flatMap(importsOf).length).toBeGreaterThan(500);
  });
});
