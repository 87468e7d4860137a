// The bench's CDN in its own process, so server and client don't share an event loop. Args: root [throttleBps].
import { startMetaCdn } from "../../test/servers/meta-cdn";

const [root, throttle] = process.argv.slice(2);
if (!root) throw new Error("usage: serve.ts <root> [throttleBps]");
const cdn = await startMetaCdn({ root, throttleBps: throttle ? Number(throttle) : undefined });
process.stdout.write(`${JSON.stringify({ signedUrl: cdn.signUrl(new Date(Date.now() + 3600_000)) })}\n`);
process.on("SIGTERM", () => void cdn.stop().then(() => process.exit(0)));
