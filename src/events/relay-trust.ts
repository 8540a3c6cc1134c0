/**
 * Which clients may relay without authentication (--qmail.trusted-relay-ips): the webmail on the
 * loopback and the hosts the operator lists in tcp.smtp with RELAYCLIENT. A `sent_no_auth` recipient
 * from any other IP is relaying nobody expected: a misconfigured or abused relay rule.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export const RELAY_SOURCES = ['trusted', 'untrusted'] as const;
export type RelaySource = (typeof RELAY_SOURCES)[number];

export const DEFAULT_TRUSTED_RELAY_IPS = '127.0.0.0/8,::1/128';

export interface RelayTrust {
  /** 'trusted' when the IP is in one of the ranges; an empty or unreadable IP is 'untrusted'. */
  sourceOf(ip: string): RelaySource;
  /** the ranges as given, for logs */
  readonly ranges: readonly string[];
}

/**
 * Parses 'CIDR,CIDR,...' (a bare address is a /32 or /128). Throws a RangeError naming the bad item,
 * for config.ts to turn into a flag error.
 */
export function parseRelayTrust(text: string): RelayTrust {
  const list = new BlockList();
  const ranges: string[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const slash = item.indexOf('/');
    const address = slash < 0 ? item : item.slice(0, slash);
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (family === null) throw new RangeError(`'${item}' is not an IP address or CIDR range`);
    const max = family === 'ipv4' ? 32 : 128;
    const prefixText = slash < 0 ? String(max) : item.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) throw new RangeError(`'${item}': the prefix length must be 0 to ${max}`);
    list.addSubnet(address, prefix, family);
    ranges.push(item);
  }
  const cache = new Map<string, RelaySource>();
  return {
    ranges,
    sourceOf(ip: string): RelaySource {
      const hit = cache.get(ip);
      if (hit !== undefined) return hit;
      const source = checkIp(list, ip) ? 'trusted' : 'untrusted';
      if (cache.size >= 4096) cache.clear();
      cache.set(ip, source);
      return source;
    },
  };
}

function checkIp(list: BlockList, ip: string): boolean {
  if (isIPv4(ip)) return list.check(ip, 'ipv4');
  if (!isIPv6(ip)) return false;
  // an IPv4-mapped address ('::ffff:192.0.2.1', ucspi-tcp6) is the IPv4 client
  const lower = ip.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return list.check(lower.slice(7), 'ipv4') || list.check(ip, 'ipv6');
  return list.check(ip, 'ipv6');
}

export const DEFAULT_RELAY_TRUST: RelayTrust = parseRelayTrust(DEFAULT_TRUSTED_RELAY_IPS);
