import path from "node:path";
import { DownloadError } from "./errors";

/**
 * Joins a remote file name (from a catalog or a hub listing) under `root`, refusing anything that could land
 * elsewhere: `..` or `.` segments, empty segments, absolute or drive paths, backslashes, NUL and other control
 * characters. The resolved path is checked against `root` as a last line of defence.
 */
export function safeJoin(root: string, relPath: string): string {
  const reject = (why: string) =>
    new DownloadError("unsafe_path", `unsafe file name ${JSON.stringify(relPath)}: ${why}`);
  if (relPath.length === 0) throw reject("empty");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(relPath)) throw reject("control character");
  if (relPath.includes("\\")) throw reject("backslash");
  if (relPath.startsWith("/") || /^[A-Za-z]:/.test(relPath)) throw reject("absolute path");
  for (const seg of relPath.split("/")) {
    if (seg === "" || seg === "." || seg === "..") throw reject(`segment ${JSON.stringify(seg)}`);
  }
  const base = path.resolve(root);
  const full = path.resolve(base, relPath);
  const prefix = base.endsWith(path.sep) ? base : base + path.sep;
  if (!full.startsWith(prefix)) throw reject("escapes the target directory");
  return full;
}
