/**
 * What kind of address an IP address is: public, or one of the special
 * ranges a fetch on a stranger's behalf must not reach (loopback, private
 * networks, link-local, multicast, unspecified, reserved), and whether an
 * address or host name is on an operator's allow list. Pure: no name is
 * resolved here (fetch-guard.ts resolves, then asks).
 */

/** The kinds of address; only `public` is fetched without an explicit allowance. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'unspecified' | 'reserved';

/** An address as 16 bytes: IPv4 as its IPv4-mapped IPv6 form (::ffff:a.b.c.d). */
type Bytes = Uint8Array;

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // canonical dotted decimal only: other forms (octal, hex, fewer parts) are what a resolver turns into this one
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(text: string): Bytes | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** An IP address (dotted IPv4, or IPv6 with or without brackets and zone) as 16 bytes; undefined when it is not one. */
export function parseAddress(text: string): Bytes | undefined {
  const s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIPv4(s);
  if (v4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  return s.includes(':') ? parseIPv6(s) : undefined;
}

/** Whether `bytes` starts with the first `bits` bits of `prefix`. */
function inPrefix(bytes: Bytes, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((bytes[byte] & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

const MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** IPv4 ranges (IANA's special-purpose registry) that are not public. */
const V4_RANGES: readonly [number[], number, AddressKind][] = [
  [[0, 0, 0, 0], 32, 'unspecified'],
  [[0], 8, 'reserved'], // "this network"
  [[10], 8, 'private'],
  [[100, 64], 10, 'private'], // shared address space (carrier-grade NAT)
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'], // includes cloud metadata services (169.254.169.254)
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2], 24, 'reserved'], // documentation
  [[192, 88, 99], 24, 'reserved'], // 6to4 relay anycast
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'], // benchmarking
  [[198, 51, 100], 24, 'reserved'], // documentation
  [[203, 0, 113], 24, 'reserved'], // documentation
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'], // includes the broadcast address
];

function kindOfV4(v4: readonly number[]): AddressKind {
  const bytes = Uint8Array.from(v4);
  for (const [prefix, bits, kind] of V4_RANGES) if (inPrefix(bytes, prefix, bits)) return kind;
  return 'public';
}

/** IPv6 ranges that are not public, most specific first; anything outside 2000::/3 is not global unicast either. */
const V6_RANGES: readonly [number[], number, AddressKind][] = [
  [[], 128, 'unspecified'], // ::
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'], // ::1
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'private'], // 64:ff9b:1::/48, local-use NAT64
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[0x20, 0x01, 0x00], 23, 'reserved'], // IETF protocol assignments, Teredo
  [[0x3f, 0xff], 20, 'reserved'], // documentation (RFC 9637)
  [[0xfc], 7, 'private'], // unique local
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'private'], // site-local (deprecated)
  [[0xff], 8, 'multicast'],
];

/**
 * The kind of an IP address, as a resolver gives it (dotted IPv4 or IPv6).
 * IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96,
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by
 * that address. Something that is not an address is `reserved`.
 */
export function addressKind(address: string): AddressKind {
  const bytes = parseAddress(address);
  if (!bytes) return 'reserved';
  if (inPrefix(bytes, MAPPED, 96)) return kindOfV4([...bytes.subarray(12)]);
  for (const [prefix, bits, kind] of V6_RANGES) if (inPrefix(bytes, prefix, bits)) return kind;
  if (inPrefix(bytes, [], 96)) return kindOfV4([...bytes.subarray(12)]) === 'public' ? 'reserved' : kindOfV4([...bytes.subarray(12)]);
  if (inPrefix(bytes, [0x00, 0x64, 0xff, 0x9b], 96)) return kindOfV4([...bytes.subarray(12)]);
  if (inPrefix(bytes, [0x20, 0x02], 16)) return kindOfV4([...bytes.subarray(2, 6)]);
  if (!inPrefix(bytes, [0x20], 3)) return 'reserved';
  return 'public';
}

/** Addresses and host names an operator lets fetches reach although they are not public. */
export interface AllowList {
  /** Address ranges, as 16-byte prefixes and their lengths in bits. */
  readonly ranges: readonly { prefix: Bytes; bits: number; text: string }[];
  /** Host names, lower case; `*.example.org` allows every name under example.org. */
  readonly hosts: readonly string[];
}

export const NO_ALLOWANCE: AllowList = { ranges: [], hosts: [] };

/**
 * An allow list from entries separated by commas or spaces: addresses
 * (`10.1.2.3`, `fd00::5`), ranges in CIDR notation (`10.0.0.0/8`,
 * `fd00::/8`) and host names (`minio.internal`, `*.corp.example`).
 * Returns a description of the first bad entry instead of throwing, so the
 * caller words its own error.
 */
export function parseAllowList(spec: string | readonly string[]): AllowList | { error: string } {
  const entries = (typeof spec === 'string' ? [spec] : spec).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  const ranges: { prefix: Bytes; bits: number; text: string }[] = [];
  const hosts: string[] = [];
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const addr = parseAddress(slash >= 0 ? entry.slice(0, slash) : entry);
    if (addr) {
      const v4 = !entry.slice(0, slash >= 0 ? slash : undefined).includes(':');
      const max = v4 ? 32 : 128;
      const bits = slash >= 0 ? Number(entry.slice(slash + 1)) : max;
      if (!(Number.isInteger(bits) && bits >= 0 && bits <= max && /^\d+$/.test(slash >= 0 ? entry.slice(slash + 1) : '0')))
        return { error: `"${entry}": the prefix length must be a whole number from 0 to ${max}` };
      ranges.push({ prefix: addr, bits: v4 ? 96 + bits : bits, text: entry });
      continue;
    }
    const host = entry.toLowerCase().replace(/\.$/, '');
    if (slash >= 0 || !/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host))
      return { error: `"${entry}" is neither an address, a range (10.0.0.0/8, fd00::/8) nor a host name` };
    hosts.push(host);
  }
  return { ranges, hosts };
}

/** Whether host name `host` (as in a URL, lower case) is on the list by name. */
export function hostAllowed(host: string, allow: AllowList): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allow.hosts.some((a) => (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a));
}

/** Whether `address` lies in one of the list's ranges. */
export function addressAllowed(address: string, allow: AllowList): boolean {
  const bytes = parseAddress(address);
  return !!bytes && allow.ranges.some((r) => inPrefix(bytes, [...r.prefix], r.bits));
}
