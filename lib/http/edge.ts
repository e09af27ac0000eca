import { randomBytes } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { ApiError } from "../errors.ts";
import { processGlobal } from "../process-global.ts";

/**
 * Who sent a request and which origin it was addressed to, as far as the server can trust it.
 *
 * `next start` passes a client's own X-Forwarded-For, -Host and -Proto through to the routes (it
 * only fills them in when they are absent), so they say nothing trustworthy by themselves. The web
 * process therefore rewrites them on every request before Next sees it (lib/server/edge-stamp.ts,
 * from the socket): the client address is the socket's peer, unless that peer is one of
 * RUNLENS_TRUSTED_PROXIES; then it is the right-most address of X-Forwarded-For that is not a
 * trusted proxy, and the proxy's X-Forwarded-Host and -Proto are believed. A request the rewrite
 * did not see (one queued while the server was still starting, or built in-process) carries no
 * valid stamp: its client address is unknown and only its Host header counts.
 */
export type Edge = {
  /** The client's address; null when the request was not seen by the rewrite. */
  client: string | null;
  /** The host the client addressed (Host, or a trusted proxy's X-Forwarded-Host). */
  host: string | null;
  proto: "http" | "https";
};

/** Set by the rewrite to this process's secret: a header a client sent cannot carry it. */
const STAMP_HEADER = "x-runlens-edge";
const stamp = processGlobal("__runlensEdgeStamp", () => ({ value: randomBytes(16).toString("hex") }));

type ProxyList = { source: string; list: BlockList | null };
const proxies = processGlobal<{ parsed?: ProxyList }>("__runlensTrustedProxies", () => ({}));

/** Why RUNLENS_TRUSTED_PROXIES cannot be used, or null (checked at start). */
export function trustedProxiesProblem(value = process.env.RUNLENS_TRUSTED_PROXIES ?? ""): string | null {
  try {
    parseTrustedProxies(value);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A comma list of IPv4/IPv6 addresses and CIDR ranges; empty: no proxy is trusted. */
function parseTrustedProxies(value: string): BlockList | null {
  const entries = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (!family || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32))
      throw new Error(`RUNLENS_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range.`);
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

function trustedProxies(): BlockList | null {
  const source = process.env.RUNLENS_TRUSTED_PROXIES ?? "";
  if (proxies.parsed?.source !== source) proxies.parsed = { source, list: parseTrustedProxies(source) };
  return proxies.parsed.list;
}

/** "::ffff:10.0.0.1" (an IPv4 peer of a dual-stack socket) as "10.0.0.1"; null for a non-address. */
function normalizeAddress(raw: string): string | null {
  const a = raw.trim().replace(/^\[(.*)\]$/, "$1");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return mapped[1];
  return isIP(a) ? a.toLowerCase() : null;
}

function isTrusted(list: BlockList | null, address: string): boolean {
  return list?.check(address, isIP(address) === 6 ? "ipv6" : "ipv4") ?? false;
}

const lastValue = (v: string | undefined) => v?.split(",").at(-1)?.trim() || undefined;

/** What the socket and the raw headers tell, before any rewrite. */
export type RawEdge = {
  remoteAddress: string | undefined;
  encrypted: boolean;
  header: (name: string) => string | undefined;
};

/**
 * The rule itself: the socket's peer is the client unless it is a trusted proxy; then X-Forwarded-For
 * is walked from the right over trusted proxies, and the first other address is the client (what
 * the last trusted proxy saw; anything further left was written by the client and is ignored).
 */
export function resolveEdge(raw: RawEdge, list: BlockList | null = trustedProxies()): Edge {
  const peer = normalizeAddress(raw.remoteAddress ?? "") ?? "unknown";
  const socketProto = raw.encrypted ? "https" : "http";
  if (!isTrusted(list, peer)) return { client: peer, host: raw.header("host") ?? null, proto: socketProto };
  let client = peer;
  const forwarded = (raw.header("x-forwarded-for") ?? "").split(",").reverse();
  for (const entry of forwarded) {
    const address = normalizeAddress(entry);
    if (!address) break; // not written by a trusted proxy: keep the last trusted hop
    client = address;
    if (!isTrusted(list, address)) break;
  }
  const proto = lastValue(raw.header("x-forwarded-proto"));
  return {
    client,
    host: lastValue(raw.header("x-forwarded-host")) ?? raw.header("host") ?? null,
    proto: proto === "https" || proto === "http" ? proto : socketProto,
  };
}

/**
 * The headers a request carries after the rewrite: the resolved client, host and protocol in the
 * X-Forwarded-* headers (so Next and better-auth read those), and the stamp.
 */
export function edgeHeaders(edge: Edge): Record<string, string> {
  const headers: Record<string, string> = { "x-forwarded-proto": edge.proto, [STAMP_HEADER]: stamp.value };
  if (edge.client) headers["x-forwarded-for"] = edge.client;
  if (edge.host) headers["x-forwarded-host"] = edge.host;
  return headers;
}

/** Headers that describe the sender and must never pass from a client unchecked. */
export const FORWARDING_HEADERS = [
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "forwarded",
  STAMP_HEADER,
];

/** The edge of a request in a route handler (see the module comment for unstamped requests). */
export function requestEdge(req: Request): Edge {
  const h = req.headers;
  if (h.get(STAMP_HEADER) === stamp.value) {
    const proto = h.get("x-forwarded-proto");
    return {
      client: h.get("x-forwarded-for"),
      host: h.get("x-forwarded-host") ?? h.get("host"),
      proto: proto === "https" ? "https" : "http",
    };
  }
  return { client: null, host: h.get("host"), proto: new URL(req.url).protocol === "https:" ? "https" : "http" };
}

/**
 * The origin this portal is served at for this request: RUNLENS_URL when set, else the request's own
 * host and protocol as resolved above. Origin checks compare with it and links shown to users use it.
 */
export function publicOrigin(req: Request): string {
  const configured = process.env.RUNLENS_URL;
  if (configured) return new URL(configured).origin;
  const edge = requestEdge(req);
  try {
    if (edge.host) return new URL(`${edge.proto}://${edge.host}`).origin;
  } catch {
    // a Host that is not a host: fall through
  }
  return new URL(req.url).origin;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated mutations: the browser's Origin must be this portal's own
 * (publicOrigin: never a host a client names through X-Forwarded-Host from an untrusted peer).
 * A browser always sends Origin on a cross-site mutation; without one, only Sec-Fetch-Site:
 * same-origin is accepted. (Session cookies are also SameSite=Lax.)
 */
export function assertSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none")
    throw new ApiError(403, "cross_site_request", "Cross-site request refused.");
  if (!origin) {
    if (site === "same-origin") return;
    throw new ApiError(403, "cross_site_request", "Mutations from the portal must carry an Origin header.");
  }
  if (!sameOrigin(req, origin)) throw new ApiError(403, "cross_site_request", "Cross-site request refused.");
}

/** Whether `origin` (an Origin header) is this portal's own origin for `req`. */
export function sameOrigin(req: Request, origin: string): boolean {
  try {
    return new URL(origin).origin === publicOrigin(req);
  } catch {
    return false;
  }
}

/** Marks every cookie a response sets `Secure` when the portal is served over https. */
export function secureCookies(req: Request, res: Response): Response {
  if (!publicOrigin(req).startsWith("https:")) return res;
  const cookies = res.headers.getSetCookie();
  if (cookies.length === 0) return res;
  const headers = new Headers(res.headers);
  headers.delete("set-cookie");
  for (const c of cookies) headers.append("set-cookie", /;\s*secure\s*(;|$)/i.test(c) ? c : `${c}; Secure`);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
