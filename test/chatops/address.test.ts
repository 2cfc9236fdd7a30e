/**
 * The address classifier behind the reply-URL check: every address in a non-public range is named
 * as such (fast-check over each range, in IPv4, IPv4-mapped IPv6 and NAT64 spellings), public
 * addresses stay public, and anything that is not an address is `invalid`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, type AddressClass } from '../../lib/chatops/address.js';

const ipv4 = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
const toInt = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
/** Any address inside `first/prefix`. */
const inRange4 = (first: string, prefix: number) =>
  fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((offset) => ipv4(toInt(first) + offset));

const hex16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
/** Any IPv6 address whose first group satisfies `first`, spelt out in full (eight groups). */
const ipv6With = (first: fc.Arbitrary<number>) =>
  fc.tuple(first, fc.array(hex16, { minLength: 7, maxLength: 7 })).map(([g0, rest]) => [g0.toString(16), ...rest].join(':'));

const PRIVATE_V4: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

describe('classifyAddress', () => {
  describe('IPv4', () => {
    it.each(PRIVATE_V4)('refuses every address in %s/%i (%s), also IPv4-mapped and via NAT64', (first, prefix, kind) => {
      fc.assert(
        fc.property(inRange4(first, prefix), (address) => {
          expect(classifyAddress(address)).toBe(kind);
          expect(classifyAddress(`::ffff:${address}`)).toBe(kind);
          const n = toInt(address);
          expect(classifyAddress(`::ffff:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`)).toBe(kind);
          expect(classifyAddress(`64:ff9b::${address}`)).toBe(kind);
        }),
        { numRuns: 300 },
      );
    });

    it('names the well-known ones', () => {
      expect(classifyAddress('169.254.169.254')).toBe('link-local'); // the instance-metadata address
      expect(classifyAddress('127.0.0.1')).toBe('loopback');
      expect(classifyAddress('0.0.0.0')).toBe('unspecified');
      expect(classifyAddress('255.255.255.255')).toBe('reserved');
      expect(classifyAddress('100.100.100.200')).toBe('shared');
    });

    it('keeps the edges of each range exact: the address just outside is public', () => {
      for (const [outside] of [
        ['9.255.255.255'],
        ['11.0.0.0'],
        ['100.63.255.255'],
        ['100.128.0.0'],
        ['172.15.255.255'],
        ['172.32.0.0'],
        ['169.253.255.255'],
        ['169.255.0.0'],
        ['192.167.255.255'],
        ['192.169.0.0'],
        ['223.255.255.255'],
        ['1.1.1.1'],
        ['3.5.140.2'],
      ]) {
        expect(classifyAddress(outside as string), outside).toBe('public');
      }
    });

    it('calls public every address outside all the blocks', () => {
      const inside = (n: number) =>
        PRIVATE_V4.some(([first, prefix]) => n >= toInt(first) && n < toInt(first) + 2 ** (32 - prefix)) ||
        (n >= toInt('192.88.99.0') && n < toInt('192.88.100.0'));
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
          expect(classifyAddress(ipv4(n)) === 'public').toBe(!inside(n));
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('IPv6', () => {
    it.each<readonly [string, fc.Arbitrary<number>, AddressClass]>([
      ['fe80::/10', fc.integer({ min: 0xfe80, max: 0xfebf }), 'link-local'],
      ['fc00::/7', fc.integer({ min: 0xfc00, max: 0xfdff }), 'unique-local'],
      ['ff00::/8', fc.integer({ min: 0xff00, max: 0xffff }), 'multicast'],
      [
        'fec0::/10 (site-local) and everything outside 2000::/3',
        fc.oneof(fc.integer({ min: 0xfec0, max: 0xfeff }), fc.integer({ min: 1, max: 0x1fff }), fc.integer({ min: 0x4000, max: 0xfbff })),
        'reserved',
      ],
      ['2002::/16 (6to4)', fc.constant(0x2002), 'reserved'],
    ])('refuses every address in %s', (_name, first, kind) => {
      fc.assert(
        fc.property(ipv6With(first), (address) => {
          expect(classifyAddress(address)).toBe(kind);
        }),
        { numRuns: 300 },
      );
    });

    it('names loopback, unspecified, documentation and Teredo, with or without brackets and zone ids', () => {
      expect(classifyAddress('::1')).toBe('loopback');
      expect(classifyAddress('[::1]')).toBe('loopback');
      expect(classifyAddress('0:0:0:0:0:0:0:1')).toBe('loopback');
      expect(classifyAddress('::')).toBe('unspecified');
      expect(classifyAddress('fe80::1%eth0')).toBe('link-local');
      expect(classifyAddress('fd00:ec2::254')).toBe('unique-local'); // the EC2 metadata address over IPv6
      expect(classifyAddress('2001:db8::1')).toBe('documentation');
      expect(classifyAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('reserved');
      expect(classifyAddress('::ffff:169.254.169.254')).toBe('link-local');
      expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
      expect(classifyAddress('::127.0.0.1')).toBe('reserved'); // IPv4-compatible, deprecated
    });

    it('calls global unicast addresses public, and an IPv4-mapped public address public', () => {
      expect(classifyAddress('2600:1f18:24e6:b900::1')).toBe('public');
      expect(classifyAddress('2a05:d018:1::')).toBe('public');
      expect(classifyAddress('::ffff:3.5.140.2')).toBe('public');
      expect(classifyAddress('64:ff9b::1.1.1.1')).toBe('public');
    });
  });

  it('calls anything that is not an IP address invalid', () => {
    for (const text of ['', 'hooks.slack.com', '127.0.0.1.nip.io', '0x7f.1', '1.2.3', '01.2.3.4', '::ffff:999.0.0.1', 'fe80::1::2'])
      expect(classifyAddress(text), text).toBe('invalid');
  });
});
