import { config } from "../config/env";

// An absolute POSIX path not inside a URL or after <DATA_DIR> (not after a word character, ":", "/" or ">"): "/srv/x/y.bin".
const ABSOLUTE_PATH = /(?<![\w.:/~>-])\/(?:[\w.@+~-]+\/)+([\w.@+~-]*)/g;

/**
 * A job error as users see it: paths under DATA_DIR become `<DATA_DIR>/…` (still tells which model file), any
 * other absolute path is cut to its last part, so the server's layout (home, install directory) is not shown.
 */
export function redactPaths(message: string, dataDir = config().dataDir): string {
  const root = dataDir.replace(/\/+$/, "");
  const relative = root ? message.split(root + "/").join("<DATA_DIR>/").split(root).join("<DATA_DIR>") : message;
  return relative.replace(ABSOLUTE_PATH, (_m, last: string) => `…/${last}`);
}
