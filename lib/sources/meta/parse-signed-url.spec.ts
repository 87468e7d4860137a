import { describe, expect, it } from "vitest";
import { MetaError } from "./errors";
import { parseSignedUrl } from "./parse-signed-url";

const toCloudFront = (b64: string) => b64.replace(/\+/g, "-").replace(/=/g, "_").replace(/\//g, "~");

/** A policy whose standard base64 contains `+`, `/` and `=`, so all three CloudFront substitutions matter. */
function policyWithAllSubstitutions(epoch: number): string {
  const chars = "?>~ab";
  for (let i = 0; i < 100_000; i++) {
    let suffix = "";
    for (let k = i; k > 0; k = Math.floor(k / chars.length)) suffix += chars[k % chars.length];
    const json = JSON.stringify({
      Statement: [{ Resource: `https://download.llamameta.net/*${suffix}`, Condition: { DateLessThan: { "AWS:EpochTime": epoch } } }],
    });
    const b64 = Buffer.from(json).toString("base64");
    if (b64.includes("+") && b64.includes("/") && b64.endsWith("=")) return toCloudFront(b64);
  }
  throw new Error("no such policy");
}

describe("parseSignedUrl", () => {
  const epoch = 1_700_000_000;
  const policy = policyWithAllSubstitutions(epoch);
  const good = `https://download.llamameta.net/*?Policy=${policy}&Signature=abc~def-ghi_&Key-Pair-Id=K15QRJLYKIFSLZ`;

  it("reads the expiry from the CloudFront policy", () => {
    expect(policy).toMatch(/-/);
    expect(policy).toMatch(/~/);
    expect(policy).toMatch(/_$/);
    const parsed = parseSignedUrl(good);
    expect(parsed.expiresAt.toISOString()).toBe(new Date(epoch * 1000).toISOString());
    expect(parsed.keyPairId).toBe("K15QRJLYKIFSLZ");
    expect(parsed.display).toBe("https://download.llamameta.net/*");
  });

  it.each([
    ["no star", good.replace("/*?", "/x?")],
    ["no policy", good.replace(/Policy=[^&]+&/, "")],
    ["no signature", good.replace(/Signature=[^&]+&/, "")],
    ["no key pair", good.replace(/&Key-Pair-Id=.+$/, "")],
    ["garbage policy", good.replace(/Policy=[^&]+/, "Policy=bm90IGpzb24_")],
    ["policy without expiry", good.replace(/Policy=[^&]+/, `Policy=${toCloudFront(Buffer.from('{"Statement":[{}]}').toString("base64"))}`)],
    ["not a url", "download.llamameta.net/*"],
  ])("rejects a URL with %s, without echoing its secrets", (_, url) => {
    let err: unknown;
    try {
      parseSignedUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MetaError);
    expect((err as MetaError).code).toBe("malformed_url");
    expect((err as Error).message).not.toMatch(/abc~def|K15QRJ|Policy=/);
  });
});
