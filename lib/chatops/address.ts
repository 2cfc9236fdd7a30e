/**
 * What kind of address an IP is, for the reply-URL check: only globally routable unicast
 * addresses count as `public`; everything else (loopback, RFC 1918, link-local with the cloud
 * metadata address 169.254.169.254, CGNAT, unique-local, multicast, documentation and reserved
 * blocks) is named, so that a refusal can say why. Pure: no DNS, no sockets.
 *
 * IPv6 addresses that embed an IPv4 address — IPv4-mapped `::ffff:a.b.c.d` (how a dual-stack
 * socket sees an IPv4 peer) and the NAT64 prefix `64:ff9b::/96` — are classified by the IPv4
 * address they carry, so `::ffff:127.0.0.1` is loopback and `::ffff:169.254.169.254` link-local.
 */
import { isIPv4, isIPv6 } from 'node:net';

const ADDRESS_CLASSES = [
  'public',
  'loopback',
  'private',
  'link-local',
  'unique-local',
  'shared',
  'unspecified',
  'multicast',
  'documentation',
  'reserved',
  'invalid',
] as const;
type AddressClass = (typeof ADDRESS_CLASSES)[number];

/** [first address, prefix length, class] — checked in order, so narrower blocks come first. */
type Block4 = readonly [string, number, AddressClass];

const IPV4_BLOCKS: readonly Block4[] = [
  ['0.0.0.0', 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'], // carrier-grade NAT
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // the instance-metadata address lives here
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // incl. the broadcast address 255.255.255.255
];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function inBlock4(value: number, [first, prefix]: Block4): boolean {
  const size = 2 ** (32 - prefix);
  const start = ipv4ToInt(first);
  return value >= start && value < start + size;
}

function classifyIpv4Int(value: number): AddressClass {
  return IPV4_BLOCKS.find((block) => inBlock4(value, block))?.[2] ?? 'public';
}

/** Eight 16-bit groups of a valid IPv6 address (an IPv4 tail becomes two groups). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1] !== undefined) {
    const v4 = ipv4ToInt(tail[1]);
    text = `${text.slice(0, -tail[1].length)}${Math.floor(v4 / 65_536).toString(16)}:${(v4 % 65_536).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function classifyIpv6(address: string): AddressClass {
  const g = ipv6Groups(address);
  const at = (i: number): number => g[i] ?? 0;
  const embeddedV4 = (): AddressClass => classifyIpv4Int(at(6) * 65_536 + at(7));
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && at(7) === 1) return 'loopback';
  if (zeroUpTo(5) && at(5) === 0xffff) return embeddedV4(); // ::ffff:0:0/96, IPv4-mapped
  if (zeroUpTo(6)) return 'reserved'; // ::/96, IPv4-compatible (deprecated)
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 0 && at(3) === 0 && at(4) === 0 && at(5) === 0) return embeddedV4(); // NAT64
  const first = at(0);
  if (first >= 0xff00) return 'multicast'; // ff00::/8
  if ((first & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((first & 0xfe00) === 0xfc00) return 'unique-local'; // fc00::/7
  if ((first & 0xe000) !== 0x2000) return 'reserved'; // only 2000::/3 is global unicast (fec0::/10, 64:ff9b:1::/48, 100::/64 …)
  if (first === 0x2001 && at(1) === 0x0db8) return 'documentation'; // 2001:db8::/32
  if (first === 0x2001 && at(1) < 0x0200) return 'reserved'; // 2001::/23 incl. Teredo 2001::/32
  if (first === 0x2002) return 'reserved'; // 6to4 carries an arbitrary IPv4 address
  if (first === 0x3fff && at(1) < 0x1000) return 'documentation'; // 3fff::/20
  if (first === 0x5f00) return 'reserved'; // SRv6 SIDs
  return 'public';
}

/**
 * @example
 * classifyAddress('169.254.169.254'); // 'link-local'
 * classifyAddress('::ffff:10.0.0.1'); // 'private'
 * classifyAddress('3.5.140.2');       // 'public'
 */
function classifyAddress(address: string): AddressClass {
  // A zone id (fe80::1%eth0) only ever qualifies a link-local address; classify what precedes it.
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return classifyIpv4Int(ipv4ToInt(bare));
  if (isIPv6(bare)) return classifyIpv6(bare.toLowerCase());
  return 'invalid';
}

export { classifyAddress, ADDRESS_CLASSES };
export type { AddressClass };
