/**
 * Connections to the queue's Redis: opened with a bounded wait (an
 * unreachable Redis is one clear error, not a hang), and watched afterwards
 * (a lost connection is said once, then retried with backoff until it is
 * back). Every connection has an error listener, so no driver error is ever
 * printed as an unhandled event.
 */
import { Redis } from 'ioredis';
import { FerkitError } from '../core/errors.js';

/** How long opening a connection to Redis may take before it fails, when no `connectTimeoutMs` is given. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** A Redis URL with its password hidden, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? auth.replace(/:.*/, ':***') : '***'}@`);
}

/** Waits between reconnection attempts: 100 ms, doubling, at most 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(Math.max(attempt - 1, 0), 6), 5_000);
}

/**
 * A Redis connection for BullMQ from a redis:// URL. Commands wait for Redis
 * to come back rather than fail (what workers need); errors are kept as the
 * connection's last error (see `lastRedisError`) instead of being printed.
 */
export function redisConnection(url: string): Redis {
  if (!/^rediss?:\/\//.test(url))
    throw new FerkitError('BAD_ARGUMENT', `the Redis address must be a redis:// or rediss:// URL, got "${redactUrl(url)}"`, { options: ['redis'] });
  // disconnectTimeout: a socket that never connected is dropped at once, so a failed start exits promptly
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false, retryStrategy: reconnectDelay, disconnectTimeout: 200 });
  quiet(redis);
  return redis;
}

const lastErrors = new WeakMap<Redis, Error>();
const quieted = new WeakSet<Redis>();

/** Gives a connection an error listener that keeps its last error, once (BullMQ's duplicates need their own). */
export function quiet(redis: Redis): Redis {
  if (quieted.has(redis)) return redis;
  quieted.add(redis);
  redis.on('error', (err: Error) => lastErrors.set(redis, err));
  redis.on('ready', () => lastErrors.delete(redis));
  return redis;
}

/** The last error a connection reported, if any. */
export function lastRedisError(redis: Redis): Error | undefined {
  return lastErrors.get(redis);
}

/** A driver error said in a user's words. */
export function describeRedisError(err: Error | undefined): string {
  const code = (err as (Error & { code?: string }) | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens there';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'no such host';
    case 'ETIMEDOUT':
      return 'no answer';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached';
    case undefined:
    default:
      // no code, or another: said below
      break;
  }
  if (!err) return 'no answer';
  return err.message.replace(/\s+/g, ' ').slice(0, 160);
}

const isAuthError = (err: Error) => /NOAUTH|WRONGPASS|invalid (username-)?password|AUTH failed/i.test(err.message);

/**
 * Resolves once `redis` is ready; fails with UNAVAILABLE when it is not
 * within `timeoutMs` (or at once when Redis refuses the password), after
 * closing the connection. The message names the address and what to do.
 */
export async function waitForRedis(redis: Redis, url: string, timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
  if (!(timeoutMs > 0)) throw new FerkitError('BAD_ARGUMENT', `connectTimeoutMs must be above 0, got ${timeoutMs}`, { options: ['connectTimeoutMs'] });
  quiet(redis);
  if (redis.status === 'ready') return;
  const where = redactUrl(url);
  await new Promise<void>((resolve, reject) => {
    const done = (err?: FerkitError) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (err) {
        redis.disconnect();
        reject(err);
      } else resolve();
    };
    const onReady = () => done();
    const onError = (err: Error) => {
      if (isAuthError(err))
        done(
          new FerkitError('UNAVAILABLE', `Redis at ${where} refused the password (${describeRedisError(err)}); give the right one in the address`, {
            options: ['redis'],
          }),
        );
    };
    const timer = setTimeout(
      () =>
        done(
          new FerkitError(
            'UNAVAILABLE',
            `cannot reach Redis at ${where}: ${describeRedisError(lastRedisError(redis))} (tried for ${formatSeconds(timeoutMs)}); start Redis there or give its address, or wait longer`,
            { options: ['redis', 'connectTimeoutMs'] },
          ),
        ),
      timeoutMs,
    );
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

const formatSeconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * Says once, through `log`, that a connection that was up has been lost
 * (and is being retried with backoff), and once that it is back. Nothing is
 * said before the connection was first ready: `waitForRedis` reports that.
 */
export function watchConnection(redis: Redis, url: string, log: (line: string) => void): void {
  quiet(redis);
  let wasReady = redis.status === 'ready';
  let lost = false;
  redis.on('ready', () => {
    if (lost) log(`the connection to Redis at ${redactUrl(url)} is back`);
    wasReady = true;
    lost = false;
  });
  redis.on('reconnecting', () => {
    if (!wasReady || lost) return;
    lost = true;
    const err = lastRedisError(redis);
    log(`lost the connection to Redis at ${redactUrl(url)} (${err ? describeRedisError(err) : 'it closed'}); retrying with backoff until it is back`);
  });
}

/** Whether a connection is up now. */
export const redisUp = (redis: Redis): boolean => redis.status === 'ready';

/** A driver error about the connection itself (said by `watchConnection`), not about what was asked of Redis. */
export const isConnectionError = (err: Error): boolean =>
  /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test((err as Error & { code?: string }).code ?? '') ||
  /Connection is closed|connect ECONNREFUSED/.test(err.message);
