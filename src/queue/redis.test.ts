/** Connections to Redis: a bounded wait at start, one line when a connection that was up is lost and when it is back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerkitError } from '../core/errors.js';
import { freePort, needsRedis, startRedis } from '../../test/redis.js';
import { describeRedisError, reconnectDelay, redactUrl, redisConnection, waitForRedis, watchConnection } from './redis.js';

test('redactUrl hides the password; reconnectDelay doubles from 100 ms up to 5 s', () => {
  assert.equal(redactUrl('redis://:secret@10.0.0.5:6379/2'), 'redis://:***@10.0.0.5:6379/2');
  assert.equal(redactUrl('rediss://user:secret@host:6380'), 'rediss://user:***@host:6380');
  assert.equal(redactUrl('redis://token@host'), 'redis://***@host');
  assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379');
  assert.deepEqual([1, 2, 3, 4, 6, 7, 50].map(reconnectDelay), [100, 200, 400, 800, 3200, 5000, 5000]);
  assert.equal(
    describeRedisError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    'connection refused: nothing listens there',
  );
});

test('waitForRedis: an address where nothing listens fails within the wait, naming it without its password', async () => {
  const url = `redis://:secret@127.0.0.1:${await freePort()}`;
  const redis = redisConnection(url);
  const t0 = performance.now();
  await assert.rejects(waitForRedis(redis, url, 800), (err: unknown) => {
    assert.ok(err instanceof FerkitError);
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, /^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: connection refused: nothing listens there \(tried for 0\.8 s\)/);
    assert.doesNotMatch(err.message, /secret/);
    assert.deepEqual(err.options, ['redis', 'connectTimeoutMs']);
    return true;
  });
  // it gave up at the wait, not at some later retry
  assert.ok(performance.now() - t0 < 30_000);
  // and it stopped trying
  let attempts = 0;
  redis.on('connecting', () => attempts++);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(attempts, 0);
});

test('a connection that was up and is lost is said once, retried, and said back once', { skip: needsRedis() }, async () => {
  const server = await startRedis();
  const lines: string[] = [];
  const redis = redisConnection(server.url);
  try {
    await waitForRedis(redis, server.url, 10_000);
    watchConnection(redis, server.url, (line) => lines.push(line));
    await server.stop();
    // several reconnection attempts fail while it is away
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 600 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => lines.length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(.+\); retrying with backoff until it is back$/);
    await server.restart();
    await until(() => lines.length > 1);
    assert.equal(redis.status, 'ready');
    assert.deepEqual(lines.slice(1), [`the connection to Redis at ${server.url} is back`]);
    assert.equal(await redis.ping(), 'PONG');
  } finally {
    redis.disconnect();
    await server.cleanup();
  }
});
