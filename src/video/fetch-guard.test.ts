import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { FerkitError } from '../core/errors.js';
import { allowList, allowListFromEnv, checkUrl, guardedGet, readLimited } from './fetch-guard.js';

/** A server on loopback that counts its connections. */
async function listen<S extends Server | TcpServer>(server: S): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket: import('node:net').Socket) => {
    n++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

const refused = (err: unknown) => err instanceof FerkitError && err.code === 'BAD_ARGUMENT' && /refused/.test(err.message);

test('loopback, link-local and private targets are refused before any connection', async () => {
  const target = await listen(createServer((_req, res) => res.end('secret')));
  try {
    for (const url of [
      `http://127.0.0.1:${target.port}/`,
      `http://localhost:${target.port}/`,
      `http://2130706433:${target.port}/`,
      `http://0x7f.1:${target.port}/`,
      `http://[::1]:${target.port}/`,
      `http://[::ffff:127.0.0.1]:${target.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
      'http://224.0.0.1/',
    ])
      await assert.rejects(guardedGet(url, 'job'), refused, url);
    assert.equal(target.connections(), 0);
  } finally {
    await target.close();
  }
});

test('an allowed host is fetched; a redirect from it to loopback is refused, as are too many redirects', async () => {
  const secret = await listen(createServer((_req, res) => res.end('secret')));
  const hops = await listen(
    createServer((req, res) => {
      if (req.url === '/ok') return res.end(`hello ${req.headers.host}`);
      if (req.url === '/to-loopback') res.writeHead(302, { location: `http://127.0.0.1:${secret.port}/` });
      else if (req.url === '/relative') res.writeHead(301, { location: '/ok' });
      else res.writeHead(302, { location: '/loop' });
      res.end();
    }),
  );
  try {
    // the first hop by name: the allowance is for "localhost" only, not for every loopback address
    const allow = allowList('localhost');
    const ok = await guardedGet(`http://localhost:${hops.port}/ok`, 'job', { allow });
    assert.equal(ok.status, 200);
    assert.equal((await readLimited(ok, 1000, 'job')).toString(), `hello localhost:${hops.port}`);
    const rel = await guardedGet(`http://localhost:${hops.port}/relative`, 'job', { allow });
    assert.equal(rel.url, `http://localhost:${hops.port}/ok`);
    rel.body.destroy();
    await assert.rejects(guardedGet(`http://localhost:${hops.port}/to-loopback`, 'job', { allow }), refused);
    await assert.rejects(guardedGet(`http://localhost:${hops.port}/loop`, 'job', { allow, maxRedirects: 3 }), /more than 3 redirects/);
    assert.equal(secret.connections(), 0);
    // an allowed range lets the redirect through
    const wide = await guardedGet(`http://localhost:${hops.port}/to-loopback`, 'job', { allow: allowList('localhost, 127.0.0.0/8') });
    assert.equal((await readLimited(wide, 1000, 'job')).toString(), 'secret');
    await assert.rejects(readLimited(await guardedGet(`http://localhost:${hops.port}/ok`, 'job', { allow }), 3, 'job'), /over the limit of 3/);
  } finally {
    await secret.close();
    await hops.close();
  }
});

test('a closed port and an open port that is not HTTP read alike', async () => {
  const raw = await listen(createTcpServer((socket) => socket.end('-ERR not http\r\n')));
  const closed = await listen(createTcpServer());
  const closedPort = closed.port;
  await closed.close();
  const allow = allowList('127.0.0.1');
  const message = async (url: string) => {
    try {
      await guardedGet(url, 'job', { allow, timeoutMs: 5000 });
    } catch (err) {
      return (err as Error).message.replace(/:\d+/, '');
    }
    return 'fetched';
  };
  try {
    const open = await message(`http://127.0.0.1:${raw.port}/`);
    assert.equal(open, await message(`http://127.0.0.1:${closedPort}/`));
    assert.match(open, /could not be reached; will retry/);
    assert.ok(raw.connections() >= 1);
  } finally {
    await raw.close();
  }
});

test('checkUrl: http and https only, no credentials; allow lists from the environment', async () => {
  await assert.rejects(checkUrl('file:///etc/passwd', 'job'), /file:\/\/ is not fetched/);
  await assert.rejects(checkUrl('gopher://example.org/', 'job'), /not fetched/);
  await assert.rejects(checkUrl('http://user:pw@example.org/', 'job'), /user name or password/);
  const t = await checkUrl('http://8.8.8.8:81/x', 'job');
  assert.equal(t.address, '8.8.8.8');
  assert.equal(allowListFromEnv({ FERKIT_ALLOW_HOSTS: 'minio.local, 10.0.0.0/8' }).hosts[0], 'minio.local');
  assert.deepEqual(allowListFromEnv({}), { ranges: [], hosts: [] });
  assert.throws(() => allowListFromEnv({ FERKIT_ALLOW_HOSTS: '10.0.0.0/99' }), /FERKIT_ALLOW_HOSTS: "10\.0\.0\.0\/99"/);
});
