/** How a video job is read: what the video is, not what its header claims; segments and seconds capped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerkitError } from '../core/errors.js';
import { DEFAULT_VIDEO_LIMITS, planVideo, videoLimits } from './video-plan.js';

const L = DEFAULT_VIDEO_LIMITS;
const opts = { fps: 5, segmentSeconds: 60 };
const video = (duration: number, bytes?: number) => ({ width: 640, height: 360, fps: 25, duration, ...(bytes !== undefined ? { bytes } : {}) });
const isCode = (code: string, message: RegExp) => (err: unknown) => err instanceof FerkitError && err.code === code && message.test(err.message);

test('defaults: 64 segments, 4 h a job, 10 min of a live stream, 20 s for a frame', () => {
  assert.deepEqual(L, { maxSegments: 64, maxSeconds: 14_400, maxLiveSeconds: 600, readTimeoutMs: 20_000 });
  assert.deepEqual(videoLimits({ maxSegments: 8 }), { ...L, maxSegments: 8 });
  for (const bad of [{ maxSegments: 2.5 }, { maxSeconds: 0 }, { maxLiveSeconds: -1 }, { readTimeoutMs: NaN }])
    assert.throws(() => videoLimits(bad), isCode('BAD_ARGUMENT', /video limit \w+ must be a number above 0/));
});

test('a 30 KB file claiming 6e6 s (70 days) is refused before any segment: over the 4 h of a job', () => {
  assert.throws(
    () => planVideo(video(6e6, 30_000), opts, L, 'liar.mkv'),
    isCode('BAD_IMAGE', /liar\.mkv: its header claims 1666 h 40 min, over the 4 h 0 min a job may analyse; cut the video/),
  );
  assert.throws(() => planVideo(video(14_401, 1e9), opts, L, 'long.mp4'), isCode('BAD_IMAGE', /over the 4 h 0 min/));
  // the limit is the worker's to set
  assert.equal(planVideo(video(14_401, 1e9), opts, { ...L, maxSeconds: 20_000 }, 'long.mp4').kind, 'segments');
});

test('a claim its size does not bear out (2 h in 21 KB) is read whole, once, for at most the job limit', () => {
  assert.deepEqual(planVideo(video(7200, 21_000), opts, L, 'a.mkv'), { kind: 'whole', maxSeconds: 14_400, live: false });
  // a stream's size is unknown: its claim is not believed either
  assert.deepEqual(planVideo(video(7200), opts, L, 'a.ts'), { kind: 'whole', maxSeconds: 14_400, live: false });
});

test('a live stream (no duration) is read for at most maxLiveSeconds', () => {
  assert.deepEqual(planVideo(video(NaN), opts, L, 'rtsp'), { kind: 'whole', maxSeconds: 600, live: true });
  assert.deepEqual(planVideo(video(NaN), opts, { ...L, maxLiveSeconds: 3 }, 'rtsp'), { kind: 'whole', maxSeconds: 3, live: true });
});

test('a real video is cut into segments of whole sampled frames; never more than maxSegments', () => {
  const short = planVideo(video(80, 8e6), opts, L, 'a.mp4');
  assert.deepEqual(short, { kind: 'whole', maxSeconds: 14_400, totalFrames: 400, live: false });
  const ten = planVideo(video(600, 60e6), opts, L, 'a.mp4');
  assert.equal(ten.kind, 'segments');
  if (ten.kind !== 'segments') return;
  assert.equal(ten.segments.length, 10);
  assert.equal(ten.perSegment, 300);
  assert.deepEqual(ten.segments[1], { start: 60, duration: 60 });
  // 4 h in 60 s segments would be 240: 64 segments of 225 s instead, covering every frame
  const long = planVideo(video(14_400, 2e9), opts, L, 'a.mp4');
  assert.equal(long.kind, 'segments');
  if (long.kind !== 'segments') return;
  assert.equal(long.segments.length, 64);
  assert.equal(long.perSegment, 1125);
  const last = long.segments.at(-1)!;
  assert.ok(Math.round((last.start + last.duration) * 5) >= long.totalFrames);
  for (const s of long.segments) assert.ok(Number.isInteger(Math.round(s.start * 5)) && Math.abs(s.start * 5 - Math.round(s.start * 5)) < 1e-9);
  // segments shorter than a sampled frame are a frame long, and still no more than maxSegments
  const tiny = planVideo(video(600, 60e6), { fps: 5, segmentSeconds: 0.01 }, L, 'a.mp4');
  assert.equal(tiny.kind === 'segments' && tiny.segments.length, 64);
  const few = planVideo(video(14_400, 2e9), opts, { ...L, maxSegments: 3 }, 'a.mp4');
  assert.equal(few.kind === 'segments' && few.segments.length, 3);
});

test('a job asking for absurd sampling is refused', () => {
  for (const fps of [0, -1, 61, NaN, Infinity])
    assert.throws(() => planVideo(video(10, 1e6), { fps, segmentSeconds: 60 }, L, 'a'), isCode('BAD_ARGUMENT', /fps must be/));
  for (const segmentSeconds of [0, -3, Infinity, NaN])
    assert.throws(() => planVideo(video(10, 1e6), { fps: 5, segmentSeconds }, L, 'a'), isCode('BAD_ARGUMENT', /segmentSeconds must be above 0/));
});
