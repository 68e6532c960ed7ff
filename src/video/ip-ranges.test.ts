import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { addressAllowed, addressKind, hostAllowed, parseAddress, parseAllowList, type AddressKind, type AllowList } from './ip-ranges.js';

const TABLE: [string, AddressKind][] = [
  // IPv4
  ['8.8.8.8', 'public'],
  ['93.184.216.34', 'public'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['100.128.0.1', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.7', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['172.15.255.255', 'public'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.20.0.1', 'public'],
  ['198.51.100.1', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['2606:4700:4700::1111', 'public'],
  ['2001:4860:4860::8888', 'public'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'private'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['2001::1', 'reserved'],
  ['100::1', 'reserved'],
  ['64:ff9b:1::1', 'private'],
  ['4000::1', 'reserved'],
  // IPv6 forms carrying an IPv4 address are judged by it
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:8.8.8.8', 'public'],
  ['::127.0.0.1', 'loopback'],
  ['::8.8.8.8', 'reserved'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::808:808', 'public'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['2002:808:808::1', 'public'],
  // not addresses
  ['localhost', 'reserved'],
  ['', 'reserved'],
  ['1.2.3', 'reserved'],
  ['1::2::3', 'reserved'],
];

test('addressKind: IPv4, IPv6 and IPv4-in-IPv6 forms', () => {
  for (const [address, kind] of TABLE) assert.equal(addressKind(address), kind, address);
});

test('parseAddress: canonical forms only (other forms are what a resolver turns into these)', () => {
  assert.ok(parseAddress('127.0.0.1'));
  assert.equal(parseAddress('0177.0.0.1'), undefined);
  assert.equal(parseAddress('2130706433'), undefined);
  assert.equal(parseAddress('256.0.0.1'), undefined);
  assert.deepEqual(parseAddress('::ffff:127.0.0.1'), parseAddress('127.0.0.1'));
});

test('decimal, octal and hexadecimal forms, as the resolver reads them, are judged by the address they mean', async () => {
  for (const form of ['2130706433', '0177.0.0.1', '0x7f.0.0.1', '127.1']) {
    const resolved = await lookup(form, { all: true }).catch(() => undefined);
    if (!resolved) continue; // a resolver that does not read the form cannot be led by it either
    for (const { address } of resolved) assert.equal(addressKind(address), 'loopback', `${form} -> ${address}`);
  }
  for (const { address } of await lookup('0xa9fea9fe', { all: true }).catch(() => [])) assert.equal(addressKind(address), 'link-local');
});

test('parseAllowList: addresses, CIDR ranges and host names; bad entries are named', () => {
  const list = parseAllowList('10.0.0.0/8, fd00::/8 127.0.0.1,minio.internal,*.corp.example') as AllowList;
  assert.ok(!('error' in list));
  assert.ok(addressAllowed('10.1.2.3', list));
  assert.ok(addressAllowed('::ffff:10.1.2.3', list));
  assert.ok(!addressAllowed('11.0.0.1', list));
  assert.ok(addressAllowed('fd00::5', list));
  assert.ok(!addressAllowed('fe80::5', list));
  assert.ok(addressAllowed('127.0.0.1', list));
  assert.ok(!addressAllowed('127.0.0.2', list));
  assert.ok(hostAllowed('minio.internal', list));
  assert.ok(hostAllowed('MINIO.internal.', list));
  assert.ok(!hostAllowed('xminio.internal', list));
  assert.ok(hostAllowed('a.b.corp.example', list));
  assert.ok(!hostAllowed('corp.example', list));
  assert.ok(!hostAllowed('evilcorp.example', list));
  const zero = parseAllowList(['0.0.0.0/0']) as AllowList;
  assert.ok(addressAllowed('169.254.169.254', zero));
  assert.ok(!addressAllowed('::1', zero));
  for (const bad of ['10.0.0.0/33', '10.0.0.0/x', 'fd00::/129', 'http://x', 'a b/c', '-bad-.example']) assert.ok('error' in parseAllowList(bad), bad);
  assert.deepEqual(parseAllowList(''), { ranges: [], hosts: [] });
});
