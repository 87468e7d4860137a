// Builds native/copy-range, the copy_file_range addon GGUF conversion copies unchanged tensors with
// (lib/convert/copy-file-range.ts), on postinstall, with the node-gyp that npm bundles and the headers of the node
// that runs it: nothing is downloaded. It never fails the install: without the addon, conversion copies those
// tensors through its worker threads as before, and says so once in the log.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const dir = path.join(root, "native/copy-range");

/** npm hands lifecycle scripts its node-gyp; outside one, the copy beside npm's own files. */
function nodeGyp(): string | null {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && path.resolve(path.dirname(process.env.npm_execpath), "../node_modules/node-gyp/bin/node-gyp.js"),
    path.resolve(process.execPath, "../../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"),
  ];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

/** `--nodedir` for the headers installed with this node (node-gyp would otherwise fetch them), unless npm sets one. */
function nodedirArgs(): string[] {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(process.execPath, "../..");
  return existsSync(path.join(prefix, "include/node/node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

/** Returns why the addon was not built, or null once it is. */
export function buildCopyRange(): string | null {
  if (process.platform !== "linux") return `copy_file_range is Linux's (this is ${process.platform})`;
  const gyp = nodeGyp();
  if (!gyp) return "npm's node-gyp was not found";
  try {
    execFileSync(process.execPath, [gyp, "rebuild", ...nodedirArgs()], { cwd: dir, stdio: "pipe", timeout: 180_000 });
    return null;
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    // The compiler's or make's own lines say why; node-gyp's stack trace does not.
    const lines = (err.stderr?.toString() ?? "").split("\n").filter((l) => l.trim() && !/^gyp (ERR!|info) (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l));
    const tail = lines.slice(-8).join("\n");
    return `${err.message.split("\n")[0]}${tail ? `\n${tail}` : ""}`;
  }
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const failure = buildCopyRange();
  console.log(
    failure === null
      ? "built the copy_file_range addon (native/copy-range)"
      : `copy_file_range addon not built, conversion will copy through worker threads: ${failure}`,
  );
}
