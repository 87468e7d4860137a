// Runs one downloadFile in its own process so a test can kill -9 it mid-way. Args: url dest parts minPartBytes.
import { downloadFile } from "../../lib/download";

const [url, dest, parts, minPartBytes] = process.argv.slice(2);
if (!url || !dest) throw new Error("usage: download-child <url> <dest> [parts] [minPartBytes]");
await downloadFile({ url, dest, parts: Number(parts ?? 8), minPartBytes: Number(minPartBytes ?? 64 * 1024 * 1024) });
