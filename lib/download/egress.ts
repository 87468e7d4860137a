import dns from "node:dns";
import net from "node:net";
import { envSchema } from "../config/env";
import { DownloadError } from "./errors";

/** Meta's signed-link hosts (`download.llamameta.net` and its CDN names). */
export const META_HOSTS = ["*.llamameta.net"];
/** Where the Hub redirects file downloads (LFS, Xet). */
export const HF_CDN_HOSTS = ["cdn-lfs.huggingface.co", "cdn-lfs-us-1.huggingface.co", "cdn-lfs-eu-1.huggingface.co", "*.hf.co", "*.xethub.hf.co"];

export type EgressSource = "meta" | "hf";

/** An EGRESS_ALLOW entry: `host`, `host:port`, `[v6]` or `[v6]:port` (a bare IPv6 address has no port). */
function parseEntry(raw: string): { host: string; port: string | undefined } {
  const g = raw.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(g);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  const hostPort = /^([^:]+):(\d+)$/.exec(g);
  return hostPort ? { host: hostPort[1]!, port: hostPort[2] } : { host: g, port: undefined };
}

/** `*.example.com` matches subdomains only; an entry with a port matches only that port (`port` "" matches any). */
function matches(globs: string[], host: string, port: string): boolean {
  return globs.some((raw) => {
    const e = parseEntry(raw);
    if (!e.host || (e.port !== undefined && port !== "" && e.port !== port)) return false;
    return e.host.startsWith("*.") ? host.endsWith(e.host.slice(1)) : host === e.host;
  });
}

// Read per check rather than from the cached config(): the policy follows the environment a process runs with.
const adminAllow = () => (envSchema.shape.EGRESS_ALLOW.parse(process.env.EGRESS_ALLOW) ?? "").split(",").filter((s) => s.trim());
const hfEndpoint = () => envSchema.shape.HF_ENDPOINT.parse(process.env.HF_ENDPOINT);

function hostPort(u: URL): { host: string; port: string } {
  return { host: u.hostname.toLowerCase().replace(/^\[|\]$/g, ""), port: u.port || (u.protocol === "https:" ? "443" : "80") };
}

/** Loopback, private, link-local, CGNAT, unspecified and multicast addresses, IPv4-mapped IPv6 included. */
export function isInternalAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (Array.isArray(mapped)) {
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return isInternalAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (typeof mapped === "string") return isInternalAddress(mapped);
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split(".").map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b < 128);
  }
  const v6 = ip.toLowerCase();
  return v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || /^ff/.test(v6) || /^::ffff:/.test(v6) || /^64:ff9b:/.test(v6);
}

const refused = (u: URL, why: string) =>
  new DownloadError("egress", `refused to connect to ${u.hostname}: ${why} (an admin can allow it with EGRESS_ALLOW)`);

/**
 * The one egress policy of downloads: a host must be one of the source's (Meta's download hosts; the Hub at
 * HF_ENDPOINT and its CDN), or allowed by EGRESS_ALLOW. Internal addresses are refused unless EGRESS_ALLOW names
 * the host; names are checked again on resolution (`egressLookup`), which is what the connection uses.
 */
export function checkEgressHost(url: string | URL, sources: EgressSource[] = ["meta", "hf"]): void {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "https:" && u.protocol !== "http:") throw refused(u, `unsupported scheme ${u.protocol}`);
  const { host, port } = hostPort(u);
  if (matches(adminAllow(), host, port)) return;
  const own = sources.flatMap((s) => (s === "meta" ? META_HOSTS : [new URL(hfEndpoint()).hostname, ...HF_CDN_HOSTS]));
  if (!matches(own, host, port)) throw refused(u, "not a download host");
  if (net.isIP(host) && isInternalAddress(host)) throw refused(u, "an internal address");
}

/**
 * A `lookup` for http(s).Agent: resolves like dns.lookup and fails when any address is internal (unless
 * EGRESS_ALLOW names the host), so the socket connects only to the address that was checked.
 */
export const egressLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as dns.LookupAddress[];
    const allowed = matches(adminAllow(), hostname.toLowerCase(), ""); // the port was checked with the URL
    const bad = !allowed && list.find((a) => isInternalAddress(a.address));
    if (bad || list.length === 0) {
      return callback(refused(new URL(`http://${hostname}`), "it resolves to an internal address") as unknown as NodeJS.ErrnoException, "", 0);
    }
    if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/** The host check and a resolution check, for refusing at job creation rather than in the worker. */
export async function checkEgress(url: string, sources: EgressSource[]): Promise<void> {
  const u = new URL(url);
  checkEgressHost(u, sources);
  const host = hostPort(u).host;
  if (net.isIP(host)) return;
  // A name that does not resolve now is left to the worker, whose pinned lookup checks it again anyway.
  await new Promise<void>((resolve, reject) => egressLookup(host, { all: true }, (err) => (err instanceof DownloadError ? reject(err) : resolve())));
}
