import type { Box } from '../image/geometry.js';

/** Intersection over union of two boxes (0 when they do not overlap). Pure. */
export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x),
    y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width),
    y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

export interface TrackerOptions {
  /** Least overlap for a detection to continue a track. Default 0.3. */
  minIou?: number;
  /** Frames a track survives without being seen. Default 10. */
  maxMissed?: number;
}

interface Track {
  id: number;
  box: Box;
  lastFrame: number;
}

/**
 * Keeps a face's id across frames: each frame's boxes are matched to the
 * live tracks greedily by overlap (IoU); unmatched boxes start new tracks;
 * tracks unseen for more than `maxMissed` frames end.
 */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private readonly minIou: number;
  private readonly maxMissed: number;

  constructor(options: TrackerOptions = {}) {
    this.minIou = options.minIou ?? 0.3;
    this.maxMissed = options.maxMissed ?? 10;
  }

  /**
   * Moves track `id` to `box` at frame `frame`, for a face followed between
   * detections (by its own means, not by overlap): the next `update` matches
   * detections against this box. False when no live track has that id.
   */
  follow(id: number, box: Box, frame: number): boolean {
    const track = this.tracks.find((t) => t.id === id && frame - t.lastFrame <= this.maxMissed);
    if (!track) return false;
    track.box = box;
    track.lastFrame = frame;
    return true;
  }

  /** Ids (1, 2, ...) of the boxes of frame `frame`, in the boxes' order. */
  update(boxes: readonly Box[], frame: number): number[] {
    this.tracks = this.tracks.filter((t) => frame - t.lastFrame <= this.maxMissed);
    const pairs: { t: number; b: number; o: number }[] = [];
    this.tracks.forEach((t, ti) =>
      boxes.forEach((b, bi) => {
        const o = iou(t.box, b);
        if (o >= this.minIou) pairs.push({ t: ti, b: bi, o });
      }),
    );
    pairs.sort((p, q) => q.o - p.o);
    const ids = new Array<number>(boxes.length).fill(0);
    const usedTracks = new Set<number>();
    for (const p of pairs) {
      if (usedTracks.has(p.t) || ids[p.b]) continue;
      usedTracks.add(p.t);
      ids[p.b] = this.tracks[p.t].id;
      this.tracks[p.t].box = boxes[p.b];
      this.tracks[p.t].lastFrame = frame;
    }
    boxes.forEach((b, bi) => {
      if (ids[bi]) return;
      const track = { id: this.nextId++, box: b, lastFrame: frame };
      this.tracks.push(track);
      ids[bi] = track.id;
    });
    return ids;
  }
}
