/**
 * Detect, then follow: the webcam's face detector runs on every few frames;
 * in between, each face's box (and eyes) moves on at the speed it moved
 * between its last two detections. Faces are matched from one detection to
 * the next by overlap (the library's FaceTracker). With no face in sight
 * the detector runs on every frame, so a face that comes in is found at
 * once. Pure apart from the times the caller passes in.
 */
import { FaceTracker } from '../../src/face/tracker.js';
import type { Box, DetectedFace, Point } from '../../src/browser/index.js';

export interface FollowOptions {
  /** The detector runs on one frame in this many (1: every frame). Default 3. */
  detectEvery?: number;
  /** Largest gap, in milliseconds, between detections: a slow frame rate still re-detects this often. Default 250. */
  maxGapMs?: number;
}

interface Followed {
  face: DetectedFace;
  /** When it was detected (ms). */
  at: number;
  /** Its centre's speed, pixels per ms. */
  vx: number;
  vy: number;
}

export class FaceFollower {
  private readonly tracker = new FaceTracker({ maxMissed: 2 });
  private readonly detectEvery: number;
  private readonly maxGapMs: number;
  private followed = new Map<number, Followed>();
  private sinceDetection = Infinity;
  private lastDetection = -Infinity;
  private detections = 0;

  constructor(options: FollowOptions = {}) {
    this.detectEvery = Math.max(1, Math.round(options.detectEvery ?? 3));
    this.maxGapMs = options.maxGapMs ?? 250;
  }

  /** Whether the frame at time `t` should go to the detector. */
  shouldDetect(t: number): boolean {
    return this.followed.size === 0 || this.sinceDetection + 1 >= this.detectEvery || t - this.lastDetection >= this.maxGapMs;
  }

  /** The detector's faces of the frame at `t`; returns them as they are. */
  detected(faces: readonly DetectedFace[], t: number): DetectedFace[] {
    const ids = this.tracker.update(
      faces.map((f) => f.box),
      this.detections++,
    );
    const next = new Map<number, Followed>();
    faces.forEach((face, i) => {
      const before = this.followed.get(ids[i]);
      let vx = 0,
        vy = 0;
      const dt = before ? t - before.at : 0;
      if (before && dt > 0) {
        const [c0, c1] = [centre(before.face.box), centre(face.box)];
        // smoothed: half the new speed, half the old one
        vx = 0.5 * ((c1.x - c0.x) / dt) + 0.5 * before.vx;
        vy = 0.5 * ((c1.y - c0.y) / dt) + 0.5 * before.vy;
      }
      next.set(ids[i], { face, at: t, vx, vy });
    });
    this.followed = next;
    this.sinceDetection = 0;
    this.lastDetection = t;
    return [...faces];
  }

  /** The followed faces moved on to time `t`, kept inside a `width` x `height` picture. */
  predicted(t: number, width: number, height: number): DetectedFace[] {
    this.sinceDetection++;
    const out: DetectedFace[] = [];
    for (const f of this.followed.values()) {
      const dt = t - f.at;
      let dx = f.vx * dt,
        dy = f.vy * dt;
      const b = f.face.box;
      // never push a box out of the picture
      dx = Math.max(-b.x, Math.min(width - b.x - b.width, dx));
      dy = Math.max(-b.y, Math.min(height - b.y - b.height, dy));
      const move = (p: Point): Point => ({ x: p.x + dx, y: p.y + dy });
      const box: Box = { x: b.x + dx, y: b.y + dy, width: b.width, height: b.height };
      out.push({
        ...f.face,
        box,
        ...(f.face.eyes ? { eyes: { left: move(f.face.eyes.left), right: move(f.face.eyes.right) } } : {}),
        ...(f.face.keypoints ? { keypoints: f.face.keypoints.map(move) } : {}),
      });
    }
    return out;
  }

  /** Forgets every face (a new webcam session). */
  reset(): void {
    this.followed.clear();
    this.sinceDetection = Infinity;
    this.lastDetection = -Infinity;
  }
}

const centre = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
