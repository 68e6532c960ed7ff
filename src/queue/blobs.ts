/**
 * Uploaded pictures and videos, kept in Redis beside the queue only while a
 * job needs them: each in a key of its own with a time to live (a bound,
 * should a job be abandoned), deleted as soon as its job is finished.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FerkitError } from '../errors.js';

/** The key of a new blob of queue `queue`. */
export function blobKey(queue: string): string {
  return `ferkit:${queue}:blob:${randomUUID()}`;
}

export async function putBlob(redis: Redis, key: string, bytes: Uint8Array, ttlSeconds: number): Promise<void> {
  await redis.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', Math.max(1, Math.round(ttlSeconds)));
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
  if (keys.length) await redis.del(...keys);
}
