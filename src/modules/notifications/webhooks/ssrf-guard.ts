import { withTimeout } from '@app/common';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The SSRF guard of outgoing webhooks: a webhook URL chosen by staff must not make the worker reach
 * the shop's own network (databases, metadata services, admin ports). Checked when an endpoint is
 * registered and again before every attempt (DNS may have changed); the attempt then connects to the
 * very address that was checked, so a second lookup cannot swap it (DNS rebinding).
 */

const FORBIDDEN = new BlockList();
// IPv4: "this" network, private, CGNAT (also Alibaba's metadata 100.100.100.200), loopback,
// link-local (cloud metadata 169.254.169.254), IETF protocol assignments, documentation, the 6to4
// relay anycast, benchmarking, multicast, reserved and broadcast.
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
// IPv6: unspecified, loopback, IPv4-compatible (deprecated), the forms that embed an IPv4 address
// and reach it through a translator or relay (SIIT ::ffff:0:0:0/96, NAT64, Teredo, 6to4), discard-only,
// documentation, unique local (fc00::/7, incl. AWS's fd00:ec2::254), link-local, site-local
// (deprecated, still routed in some sites), multicast.
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');

export type SsrfRefusal = 'scheme' | 'credentials' | 'address' | 'unresolvable';

export class SsrfRefusedError extends Error {
  constructor(
    readonly reason: SsrfRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'SsrfRefusedError';
  }
}

export interface SsrfPolicy {
  /** `http:` is accepted besides `https:` (dev only). */
  allowHttp: boolean;
  /**
   * Hosts (lower case, IPv6 without brackets) let through although forbidden, matched against the
   * URL's host as written (an allowed IP is not allowed under another name).
   */
  allowedHosts: readonly string[];
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`) as the IPv4 address it carries. */
export function unmapIpv4(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted && isIP(dotted[1]) === 4) return dotted[1];
  const hex = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return address;
}

/** True for an address no webhook may reach (see the lists above); anything not an IP is forbidden. */
export function isForbiddenAddress(address: string): boolean {
  const plain = unmapIpv4(address.replace(/^\[|\]$/g, ''));
  const family = isIP(plain);
  if (family === 4) return FORBIDDEN.check(plain, 'ipv4');
  if (family === 6) return FORBIDDEN.check(plain, 'ipv6');
  return true;
}

/** The URL's host as the allow-list and the resolver see it (lower case, IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
}

/** The checks that need no DNS: a parseable http(s) URL without credentials, and an IP literal's range. */
export function checkUrlShape(raw: string, policy: SsrfPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SsrfRefusedError('scheme', 'The URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:'))
    throw new SsrfRefusedError(
      'scheme',
      policy.allowHttp ? 'Only http and https URLs can receive webhooks.' : 'Webhook URLs must use https.',
    );
  if (url.username || url.password)
    throw new SsrfRefusedError('credentials', 'Webhook URLs may not carry a user name or password.');
  const host = hostOf(url);
  if (isIP(host) && isForbiddenAddress(host) && !policy.allowedHosts.includes(host))
    throw new SsrfRefusedError('address', `${host} is a private, local or reserved address.`);
  return url;
}

export interface ResolvedTarget {
  url: URL;
  /** The checked address the request must connect to. */
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** A lookup that hangs must not hold a registration request or a delivery job (the sender's timer starts after it). */
export const RESOLVE_TIMEOUT_MS = 5_000;

/**
 * Checks the URL and every address its host resolves to (refused if ANY is forbidden: a name with one
 * public and one private address would let the connection pick the private one). Returns the
 * address to connect to.
 */
export async function resolveSafeTarget(
  raw: string,
  policy: SsrfPolicy,
  resolve: Resolver = systemResolver,
  timeoutMs = RESOLVE_TIMEOUT_MS,
): Promise<ResolvedTarget> {
  const url = checkUrlShape(raw, policy);
  const host = hostOf(url);
  const literal = isIP(host);
  if (literal) return { url, address: host, family: literal as 4 | 6 };
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await withTimeout(resolve(host), timeoutMs, `resolving ${host} timed out`);
  } catch {
    throw new SsrfRefusedError('unresolvable', `${host} does not resolve.`);
  }
  if (addresses.length === 0) throw new SsrfRefusedError('unresolvable', `${host} does not resolve.`);
  // The allow-list names hosts as the URL spells them: a name that merely resolves to an allowed
  // address is not allowed (that is what DNS rebinding would do).
  if (!policy.allowedHosts.includes(host)) {
    for (const { address } of addresses) {
      if (isForbiddenAddress(address))
        throw new SsrfRefusedError(
          'address',
          `${host} resolves to ${address}, a private, local or reserved address.`,
        );
    }
  }
  const [first] = addresses;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
