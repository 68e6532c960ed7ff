/**
 * Uploaded pictures and videos, kept in Redis beside the queue only while a
 * job needs them: each in a key of its own with a time to live (a bound,
 * should a job be abandoned), deleted as soon as its job is finished. The
 * bytes a queue holds in uploads are counted (a ledger of each blob's size
 * and expiry beside them), and an upload that would take the queue over its
 * quota is refused before it is stored: the count and the store are one
 * atomic step, so concurrent uploads cannot overshoot it together.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FerkitError } from '../core/errors.js';

/** The key of a new blob of queue `queue`. */
export function blobKey(queue: string): string {
  return `ferkit:${queue}:blob:${randomUUID()}`;
}

/** The ledger's keys of the queue a blob key belongs to: sizes (hash), expiries (sorted set), total (counter). */
function ledger(key: string): [sizes: string, expiries: string, total: string] {
  const prefix = key.slice(0, key.lastIndexOf(':blob:'));
  return [`${prefix}:blob-sizes`, `${prefix}:blob-expiries`, `${prefix}:blob-bytes`];
}

/** Forgets blobs whose time is up (Redis has dropped their bytes), then stores the new one if it fits: 1 stored, 0 over the quota. */
const PUT = `
local sizes, expiries, total, key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local size, ttl, now, quota = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local gone = redis.call('ZRANGEBYSCORE', expiries, '-inf', now)
for _, k in ipairs(gone) do
  local s = redis.call('HGET', sizes, k)
  if s then redis.call('DECRBY', total, s) end
  redis.call('HDEL', sizes, k)
end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', expiries, '-inf', now) end
local used = tonumber(redis.call('GET', total) or '0')
if used < 0 then used = 0; redis.call('SET', total, 0) end
if used + size > quota then return {0, used} end
redis.call('SET', key, ARGV[1], 'EX', ttl)
redis.call('HSET', sizes, key, size)
redis.call('ZADD', expiries, now + ttl * 1000, key)
redis.call('INCRBY', total, size)
return {1, used + size}
`;

/** Deletes blobs and takes their sizes off the count. */
const DELETE = `
local sizes, expiries, total = KEYS[1], KEYS[2], KEYS[3]
for i = 4, #KEYS do
  local s = redis.call('HGET', sizes, KEYS[i])
  if s then
    redis.call('DECRBY', total, s)
    redis.call('HDEL', sizes, KEYS[i])
    redis.call('ZREM', expiries, KEYS[i])
  end
  redis.call('DEL', KEYS[i])
end
return 0
`;

/** An upload refused by a quota: `job` (over the bytes one job may upload: 413) or `queue` (the queue holds too much: 429, retry later). */
export class UploadQuotaError extends FerkitError {
  constructor(
    readonly scope: 'job' | 'queue',
    message: string,
    /** For `queue`: seconds after which uploads are likely to fit again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(scope === 'job' ? 'BAD_ARGUMENT' : 'UNAVAILABLE', message, { options: [scope === 'job' ? 'jobUploadBytes' : 'uploadQuotaBytes'] });
    this.name = 'UploadQuotaError';
  }
}

/**
 * Stores a blob for `ttlSeconds`, if the queue's uploads stay within
 * `quotaBytes` with it; otherwise throws UploadQuotaError (`queue`).
 */
export async function putBlob(redis: Redis, key: string, bytes: Uint8Array, ttlSeconds: number, quotaBytes = Infinity): Promise<void> {
  const ttl = Math.max(1, Math.round(ttlSeconds));
  const quota = Number.isFinite(quotaBytes) ? quotaBytes : Number.MAX_SAFE_INTEGER;
  const [stored, used] = (await redis.eval(
    PUT,
    4,
    ...ledger(key),
    key,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    bytes.byteLength,
    ttl,
    Date.now(),
    quota,
  )) as [number, number];
  if (stored !== 1)
    throw new UploadQuotaError(
      'queue',
      `the queue already holds ${mib(used)} of uploads waiting for workers, and ${mib(bytes.byteLength)} more would go over its quota of ${mib(quota)}; retry once jobs have been done, give a URL instead of the bytes, or raise the quota`,
      60,
    );
}

export async function getBlob(redis: Redis, key: string, name: string): Promise<Buffer> {
  const bytes = await redis.getBuffer(key);
  if (!bytes)
    throw new FerkitError(
      'DATA_NOT_FOUND',
      `${name}: its uploaded bytes are gone from Redis (kept for a limited time, and removed once the job is done); submit it again`,
      { file: name },
    );
  return bytes;
}

export async function deleteBlobs(redis: Redis, keys: readonly string[]): Promise<void> {
  if (keys.length) await redis.eval(DELETE, 3 + keys.length, ...ledger(keys[0]), ...keys);
}

/** Bytes the uploads of queue `queue` hold in Redis now (as counted; blobs whose time is up are taken off at the next upload). */
export async function uploadedBytes(redis: Redis, queue: string): Promise<number> {
  return Math.max(0, Number((await redis.get(ledger(blobKey(queue))[2])) ?? 0));
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
