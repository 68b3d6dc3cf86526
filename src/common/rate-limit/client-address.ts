import net from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Who is calling: the address a request's bucket is keyed by when it carries no key. */

/** An address without port, brackets or zone, IPv4-mapped IPv6 as IPv4; null if not an IP. */
function cleanAddress(raw: string | undefined): string | null {
  if (!raw) return null;
  // Every request asks twice (request id, rate limits), mostly for the same few addresses (a proxy's, a client's): the last one is remembered.
  if (raw === lastRaw) return lastClean;
  const clean = cleanAddressOnce(raw);
  lastRaw = raw;
  lastClean = clean;
  return clean;
}
let lastRaw: string | undefined;
let lastClean: string | null = null;

function cleanAddressOnce(raw: string): string | null {
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1];
  return net.isIP(s) ? s : null;
}

/** The /64 network of an IPv6 address: one home or one customer, who can change the rest at will. */
function ipv6Network(address: string): string {
  let s = address.toLowerCase();
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2).map(Number);
    s = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  let groups: string[];
  if (s.includes('::')) {
    const [head, tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  } else {
    groups = s.split(':');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The caller's address, whole (for log lines): the socket's, or with `trustProxy` (the number of
 * proxies in front of the hub; true is one) the address the outermost trusted proxy saw, from
 * X-Forwarded-For counted from the right (entries further left are whatever the client chose to
 * send); 'unknown' when there is none.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean | number = false): string {
  let address = cleanAddress(req.socket?.remoteAddress);
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : Math.max(0, Math.floor(trustProxy));
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length) address = cleanAddress(entries[Math.max(0, entries.length - hops)]) ?? address;
  }
  return address ?? 'unknown';
}

/** The caller as its rate-limit bucket knows it: its address (clientIp), an IPv6 one by its /64. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean | number = false): string {
  const address = clientIp(req, trustProxy);
  return net.isIPv6(address) ? ipv6Network(address) : address;
}
