import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where webhooks may post. The coordinator posts to URLs its users give, from inside the network: unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS is on, a target must be a public address, so a webhook cannot reach the cloud's
 * metadata service (169.254.169.254), PostgreSQL, Redis or anything else only the coordinator can reach. Checked
 * twice: when a webhook is created (its URL's host, if it is an address or `localhost`), and on every attempt for the
 * address the name resolves to right then, the one the connection uses (a name that later resolves elsewhere, DNS
 * rebinding, is refused too). Redirects are not followed.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local: cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
// BlockList checks an IPv4-mapped IPv6 address (::ffff:127.0.0.1) against the IPv4 subnets above.
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Why a webhook may not post to this address (undefined: it may). */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an address`;
  return NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6') ? `${address} is a loopback, private, link-local or reserved address` : undefined;
}

/** Why a webhook may not post to this URL, as far as its text tells (the name's addresses are checked at each attempt). */
export function targetRefusal(url: URL, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  // The URL parser has already made numeric hosts dotted (http://2130706433/ is 127.0.0.1); a final dot names the same host.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is this machine`;
  return isIP(host) === 0 ? undefined : addressRefusal(host);
}

/** A refused target: permanent (no retry helps). */
export class TargetRefusedError extends Error {
  constructor(reason: string) {
    super(`refused target: ${reason} (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)`);
    this.name = 'TargetRefusedError';
  }
}

/** http.request's `lookup`: resolves as usual, then refuses the connection when an address is not public. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, options, (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
      if (error || allowPrivate) return callback(error, address as string, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const refusal = addresses.map(addressRefusal).find((reason) => reason !== undefined);
      if (refusal) return callback(new TargetRefusedError(`${hostname} resolves to ${refusal}`), address as string, family);
      callback(null, address as string, family);
    });
  };
}
