/**
 * What the segments of a video share in Redis while they run, under the
 * video's job: the frames each has read (the video's progress), and where
 * any found the video to end (so that the segments past the end read
 * nothing). Each record lasts a day; the video's last step removes them.
 */
import type { Redis } from 'ioredis';

const progressKey = (queue: string, parentId: string) => `ferkit:${queue}:progress:${parentId}`;
/** Where a video's segments found it to end (frame index, per segment), so that the segments past the end read nothing. */
const endKey = (queue: string, parentId: string) => `ferkit:${queue}:end:${parentId}`;

const RECORD_SECONDS = 86_400;

/** Records that segment `index` of the video has read `frames` frames so far. */
export async function recordSegmentFrames(redis: Redis, queue: string, parentId: string, index: number, frames: number): Promise<void> {
  const key = progressKey(queue, parentId);
  await redis.multi().hset(key, String(index), frames).expire(key, RECORD_SECONDS).exec();
}

/** The frames read so far over all of the video's segments. */
export async function videoFramesDone(redis: Redis, queue: string, parentId: string): Promise<number> {
  return (await redis.hvals(progressKey(queue, parentId))).reduce((a, v) => a + Number(v), 0);
}

/** Records that segment `index` found the video to end at sampled frame `endedAt`. */
export async function recordVideoEnd(redis: Redis, queue: string, parentId: string, index: number, endedAt: number): Promise<void> {
  const key = endKey(queue, parentId);
  await redis.multi().hset(key, String(index), endedAt).expire(key, RECORD_SECONDS).exec();
}

/** The earliest sampled frame at which a segment found the video to end; Infinity while none has. */
export async function videoEnd(redis: Redis, queue: string, parentId: string): Promise<number> {
  const ends = (await redis.hvals(endKey(queue, parentId))).map(Number);
  return Math.min(Infinity, ...ends);
}

/** Removes what the video's segments recorded, once they are joined. */
export async function forgetSegments(redis: Redis, queue: string, parentId: string): Promise<void> {
  await redis.del(progressKey(queue, parentId), endKey(queue, parentId));
}
