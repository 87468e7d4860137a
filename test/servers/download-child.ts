// Runs one downloadFile in its own process, so a test can kill -9 it or run it on a tiny file system.
// Args: url dest [parts] [minPartBytes] [--no-space-check]. Prints the error's code and message as JSON on failure.
import { downloadFile, DownloadError } from "../../lib/download";

const [url, dest, parts, minPartBytes, flag] = process.argv.slice(2);
if (!url || !dest) throw new Error("usage: download-child <url> <dest> [parts] [minPartBytes] [--no-space-check]");
try {
  await downloadFile({
    url,
    dest,
    parts: Number(parts ?? 8),
    minPartBytes: Number(minPartBytes ?? 64 * 1024 * 1024),
    // Lets a test reach ENOSPC mid-way instead of being stopped by the up-front check.
    ...(flag === "--no-space-check" && { statfs: async () => ({ bavail: Number.MAX_SAFE_INTEGER, bsize: 1 }) }),
  });
} catch (err) {
  process.stdout.write(JSON.stringify({ code: (err as DownloadError).code, message: (err as Error).message }));
  process.exitCode = 1;
}
