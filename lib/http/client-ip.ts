import net from "node:net";

/** The header the web server (scripts/web-server.ts) sets to the client address it derived; never a client's own. */
export const CLIENT_IP_HEADER = "x-depot-client-ip";

const FORWARDING = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

const unmap = (ip: string) => (ip.startsWith("::ffff:") && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip);

/** TRUSTED_PROXIES ("10.0.0.1, 10.1.0.0/16, ::1") as a matcher; a bad entry is a startup error. */
export function trustedProxies(list: string): (ip: string) => boolean {
  const block = new net.BlockList();
  for (const entry of list.split(",").map((e) => e.trim()).filter(Boolean)) {
    const [addr = "", bits] = entry.split("/");
    const family = net.isIPv4(addr) ? "ipv4" : net.isIPv6(addr) ? "ipv6" : undefined;
    const prefix = bits === undefined ? undefined : Number(bits);
    if (!family || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === "ipv4" ? 32 : 128)))) {
      throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
    }
    if (prefix === undefined) block.addAddress(addr, family);
    else block.addSubnet(addr, prefix, family);
  }
  return (ip) => {
    const a = unmap(ip);
    return net.isIP(a) !== 0 && block.check(a, net.isIPv4(a) ? "ipv4" : "ipv6");
  };
}

/**
 * The client address: the socket peer, unless the peer is a trusted proxy; then X-Forwarded-For is walked from the
 * right (the hop the proxy itself appended) past further trusted proxies to the first untrusted address.
 */
export function resolveClientIp(peer: string | undefined, forwardedFor: string | undefined, trusted: (ip: string) => boolean): string | undefined {
  if (!peer) return undefined;
  let ip = unmap(peer);
  const hops = (forwardedFor ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  while (trusted(ip) && hops.length > 0) {
    const hop = unmap(hops.pop()!);
    if (net.isIP(hop) === 0) break;
    ip = hop;
  }
  return ip;
}

/**
 * Rewrites an incoming request's headers in place: drops any client-sent CLIENT_IP_HEADER, drops forwarding headers
 * unless the peer is a trusted proxy, and sets CLIENT_IP_HEADER to the resolved client address.
 */
export function applyClientIp(headers: Record<string, string | string[] | undefined>, peer: string | undefined, trusted: (ip: string) => boolean): void {
  const xff = headers["x-forwarded-for"];
  const forwardedFor = Array.isArray(xff) ? xff.join(",") : xff;
  const fromProxy = peer !== undefined && trusted(peer);
  delete headers[CLIENT_IP_HEADER];
  if (!fromProxy) for (const h of FORWARDING) delete headers[h];
  const ip = resolveClientIp(peer, fromProxy ? forwardedFor : undefined, trusted);
  if (ip) headers[CLIENT_IP_HEADER] = ip;
}
