/**
 * How a video's frames get their faces: detect, then track (the default:
 * the detector searches a frame every `detectEvery` seconds and when the
 * picture changes, and each face is followed in between; see
 * src/core/track/follow.ts), or the detector on every frame. `ferkit video`,
 * the queue's video jobs and the library's analyzeVideo share it.
 */
import type { PixelRecognizer, FaceEmotion } from '../core/recognizer.js';
import type { RgbImage } from '../core/image/pixels.js';
import type { TrackerOptions } from '../core/face/tracker.js';
import { FaceFollower, type FollowOptions } from '../core/track/follow.js';

/**
 * Detect-then-track settings for a video (`FollowOptions` without its
 * smoothing, which the video's timeline does), or `false` to run the
 * detector on every sampled frame.
 */
export type VideoTracking = Omit<FollowOptions, 'smoothing' | 'uncertainBelow' | keyof TrackerOptions> | false;

/** A video frame's faces, frames given in order of time. */
export type FrameFaces = (frame: { image: RgbImage; time: number }) => Promise<FaceEmotion[]>;

/**
 * The faces of each frame, in order: followed (`tracking` settings, by
 * default `{}`) or detected afresh on every frame (`tracking: false`). The
 * emotions are each face's last reading, unsmoothed.
 */
export function frameFaces(recognizer: PixelRecognizer, tracking: VideoTracking = {}, tracker: TrackerOptions = {}): FrameFaces {
  if (tracking === false) return async ({ image }) => (await recognizer.recognizeRgb([image]))[0];
  const follower = new FaceFollower(recognizer, {
    ...(tracker.minIou !== undefined ? { minIou: tracker.minIou } : {}),
    ...(tracker.maxMissed !== undefined ? { maxMissed: tracker.maxMissed } : {}),
    ...tracking,
    smoothing: 0,
  });
  return async ({ image, time }) => (await follower.next(image, time)).faces;
}
