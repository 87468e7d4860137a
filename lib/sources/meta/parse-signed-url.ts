import { MetaError } from "./errors";

export interface SignedUrl {
  /** The URL as given; contains the credential, never log it. */
  url: string;
  /** Origin and path with its `*`, safe to display. */
  display: string;
  expiresAt: Date;
  keyPairId: string;
}

/** CloudFront's URL-safe base64: `-`→`+`, `_`→`=`, `~`→`/`. */
function decodeCloudFront(s: string): string {
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64").toString("utf8");
}

/**
 * Checks a Meta download link (a CloudFront signed URL ending in `/*`) and reads its expiry from the policy's
 * `Statement[0].Condition.DateLessThan["AWS:EpochTime"]`. Error messages never repeat the query string.
 */
export function parseSignedUrl(url: string): SignedUrl {
  const bad = (why: string) => new MetaError("malformed_url", `not a Meta download URL: ${why}`);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw bad("cannot parse it as a URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw bad(`unsupported scheme ${u.protocol}`);
  if (!u.pathname.includes("*")) throw bad("it must contain the `*` placeholder (copy the whole link from the email)");
  const policy = u.searchParams.get("Policy");
  const signature = u.searchParams.get("Signature");
  const keyPairId = u.searchParams.get("Key-Pair-Id");
  const missing = [!policy && "Policy", !signature && "Signature", !keyPairId && "Key-Pair-Id"].filter(Boolean);
  if (missing.length > 0 || !policy || !keyPairId) throw bad(`missing ${missing.join(", ")} parameter`);
  let epoch: unknown;
  try {
    const doc = JSON.parse(decodeCloudFront(policy)) as {
      Statement?: Array<{ Condition?: { DateLessThan?: Record<string, unknown> } }>;
    };
    epoch = doc.Statement?.[0]?.Condition?.DateLessThan?.["AWS:EpochTime"];
  } catch {
    throw bad("the Policy parameter is not a CloudFront policy");
  }
  if (typeof epoch !== "number" || !Number.isFinite(epoch)) throw bad("the policy has no expiry (DateLessThan)");
  return { url: u.toString(), display: `${u.origin}${decodeURI(u.pathname)}`, expiresAt: new Date(epoch * 1000), keyPairId };
}
