/**
 * Detect, then track: the face detector runs on whole frames only now and
 * then (on a schedule, and when the picture changes); in between each face
 * is followed from frame to frame by cheaper means, keeps its id, and has
 * its emotions read at a set rate and smoothed over time. Works with any
 * `Detector` behind a recognizer, and with any source of frames: files and
 * streams in Node, a webcam in a browser or a Web Worker. Platform-neutral;
 * no I/O.
 */
import { FerkitError } from '../errors.js';
import { EMOTIONS, rankEmotions, type Emotion } from '../labels.js';
import type { RgbImage } from '../image/pixels.js';
import type { Box, Point } from '../image/geometry.js';
import type { DetectCall, DetectedFace } from '../face/detector.js';
import { FaceTracker, iou, type TrackerOptions } from '../face/tracker.js';
import { DEFAULT_UNCERTAIN_BELOW, type FaceEmotion } from '../recognizer.js';
import { greyIntegral, type GreyIntegral } from './grey.js';
import { DEFAULT_MAX_MISMATCH, facePatch, findPatch, type FacePatch } from './motion.js';
import { DEFAULT_SCENE_CHANGE, thumbnail, thumbnailDifference } from './scene.js';
import { smoothStep } from './smooth.js';

/** What following faces needs of a recognizer (every `PixelRecognizer` has it): find faces, and read the emotions of faces already found. */
export interface FaceReader {
  detect(img: RgbImage, call?: DetectCall): Promise<DetectedFace[]>;
  recognizeFaces(img: RgbImage, faces: readonly DetectedFace[]): Promise<FaceEmotion[]>;
}

/**
 * How a face is followed between detections: `motion` (default) looks for
 * its grey patch again around where it was (no detector pass; a few
 * milliseconds a face); `detect` runs the detector on the neighbourhood of
 * its box (a crop `searchScale` times its size), which costs a detector
 * pass per face: worth it only with a detector whose cost falls with the
 * picture's size.
 */
export type FollowMethod = 'motion' | 'detect';
export const FOLLOW_METHODS: readonly FollowMethod[] = ['motion', 'detect'];

export interface FollowOptions extends TrackerOptions {
  /** Seconds between detector passes over the whole frame. Default 0.5; 0 runs the detector on every frame (no following). */
  detectEvery?: number;
  /**
   * The detector also runs, before its time, on a frame whose grey
   * thumbnail (32 x 24) differs from that of the last searched frame by more
   * than this mean absolute difference (0..255). Default
   * `DEFAULT_SCENE_CHANGE` (20); Infinity turns the test off.
   */
  sceneChange?: number;
  /** How faces are followed between detections. Default `motion`. */
  follow?: FollowMethod;
  /** `motion`: the largest mismatch of a face's patch for it to count as found (see `DEFAULT_MAX_MISMATCH`, 0.5). */
  maxMismatch?: number;
  /** `detect`: the side of the neighbourhood searched, as a multiple of the face box's longer side. Default 2. */
  searchScale?: number;
  /**
   * Frames a face that could not be followed keeps its last box (`carried`)
   * while it is looked for again; then the next frame is searched for faces
   * by the detector, which finds it again or ends it. Default 1; 0 drops it
   * at once (and searches the next frame).
   */
  keepLost?: number;
  /**
   * `motion`: searches in a row that may miss a face (the detector does not
   * find it again, as happens to faces near its threshold) while its
   * picture is still found where it moved; it is then followed on. Default
   * 1; 0 ends a face at the first search that misses it.
   */
  missedSearches?: number;
  /** Seconds between readings of a face's emotions (each a run of the emotion model). Default 0.1; 0 reads them on every frame. */
  classifyEvery?: number;
  /** Half-life of the smoothing of each face's emotions, in seconds. Default 0.5; 0 turns it off. */
  smoothing?: number;
  /** Faces whose smoothed top probability is below this are flagged `uncertain`. Default `DEFAULT_UNCERTAIN_BELOW`. */
  uncertainBelow?: number;
  /** Passed to the detector on each call (e.g. `{ detector: 'fast' }`). */
  call?: DetectCall;
}

/** Where a face's box in a frame comes from: the detector on the whole frame, following it, or kept from an earlier frame. */
export type FaceOrigin = 'detected' | 'tracked' | 'carried';

/** A face in a frame, with its id, smoothed emotions and how it was found. */
export interface FollowedFace extends FaceEmotion {
  /** The same for the same face from frame to frame (1, 2, ...). */
  id: number;
  origin: FaceOrigin;
  /** True when the emotion model read this face in this frame; otherwise its emotions are those last read. */
  classified: boolean;
  /** The emotion model's last reading of this face, unsmoothed (`emotions` are smoothed). */
  raw: Record<Emotion, number>;
}

/** Why the detector ran over a whole frame: the first frame, the schedule, a change of picture, or a face lost by following in the frame before. */
export type SearchReason = 'first' | 'schedule' | 'scene' | 'lost';

export interface FollowedFrame {
  /** 0, 1, ... in the order frames were given. */
  index: number;
  /** Seconds, as given. */
  time: number;
  /** Why the detector searched the whole frame; null when faces were followed instead. */
  search: SearchReason | null;
  /** Mean absolute grey difference of this frame's thumbnail from that of the last searched frame (0..255; Infinity for the first). */
  change: number;
  faces: FollowedFace[];
}

/** Work done so far, for reports and tests. */
export interface FollowCounts {
  frames: number;
  /** Detector passes over whole frames. */
  searches: number;
  /** Detector passes over neighbourhoods of faces (`follow: 'detect'`). */
  localSearches: number;
  /** Faces read by the emotion model. */
  readings: number;
}

interface Track {
  id: number;
  face: DetectedFace;
  origin: FaceOrigin;
  missed: number;
  /** Searches in a row that did not find this face. */
  searchMisses: number;
  patch?: FacePatch;
  /** Movement of the box's centre per frame, for the next search. */
  velocity: Point;
}

interface Reading {
  raw: number[];
  smooth: number[];
  time: number;
  frame: number;
  face: FaceEmotion;
}

const asRecord = (v: readonly number[]) => Object.fromEntries(EMOTIONS.map((e, i) => [e, v[i]])) as Record<Emotion, number>;
const centre = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
/** A little less than the interval, so that frames at float times such as 0.1 + 0.2 are on time. */
const due = (elapsed: number, every: number) => every <= 0 || elapsed >= every - 1e-6;

/**
 * A detected face with its box moved from `from` to `to`, its eyes,
 * landmarks and keypoints moved with it (scaled and shifted alike). Pure.
 */
export function moveFace(face: DetectedFace, from: Box, to: Box): DetectedFace {
  const sx = to.width / from.width,
    sy = to.height / from.height;
  const p = (q: Point): Point => ({ x: to.x + (q.x - from.x) * sx, y: to.y + (q.y - from.y) * sy });
  const box = { x: to.x + (face.box.x - from.x) * sx, y: to.y + (face.box.y - from.y) * sy, width: face.box.width * sx, height: face.box.height * sy };
  return {
    box,
    score: face.score,
    ...(face.eyes ? { eyes: { left: p(face.eyes.left), right: p(face.eyes.right) } } : {}),
    ...(face.landmarks ? { landmarks: face.landmarks.map(p) } : {}),
    ...(face.keypoints ? { keypoints: face.keypoints.map(p) } : {}),
  };
}

/** The part of a picture inside `box` (rounded outwards, clipped to the picture), as a new picture. Pure. */
export function cropRgb(img: RgbImage, box: Box): { image: RgbImage; x: number; y: number } {
  const x0 = Math.max(0, Math.min(img.width - 1, Math.floor(box.x))),
    y0 = Math.max(0, Math.min(img.height - 1, Math.floor(box.y)));
  const x1 = Math.max(x0 + 1, Math.min(img.width, Math.ceil(box.x + box.width))),
    y1 = Math.max(y0 + 1, Math.min(img.height, Math.ceil(box.y + box.height)));
  const width = x1 - x0,
    height = y1 - y0;
  const data = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) data.set(img.data.subarray(((y0 + r) * img.width + x0) * 3, ((y0 + r) * img.width + x1) * 3), r * width * 3);
  return { image: { data, width, height }, x: x0, y: y0 };
}

function checkOption(name: string, value: number | undefined, ok: (v: number) => boolean, what: string): void {
  if (value !== undefined && !(typeof value === 'number' && ok(value))) throw new FerkitError('BAD_ARGUMENT', `${name} must be ${what}, got ${String(value)}`);
}

/**
 * Follows the faces of a sequence of frames (a video, a stream, a webcam):
 * give it each frame in order with its time; it answers with the frame's
 * faces, each with an id kept from frame to frame, its smoothed emotions
 * and whether the detector found it in this frame (`detected`), it was
 * followed from the last frame (`tracked`) or it keeps its last box
 * (`carried`). The detector searches the first frame, then whenever
 * `detectEvery` seconds have passed or the picture changed (`sceneChange`);
 * a face not found again by a search ends there (its id is kept for a few
 * frames in case it comes back). One follower per sequence; `reset()` to
 * start another.
 */
export class FaceFollower {
  private readonly detectEvery: number;
  private readonly sceneChange: number;
  private readonly method: FollowMethod;
  private readonly maxMismatch: number;
  private readonly searchScale: number;
  private readonly keepLost: number;
  private readonly missedSearches: number;
  private readonly classifyEvery: number;
  private readonly halfLife: number;
  private readonly uncertainBelow: number;
  private readonly minIou: number;
  private readonly maxMissed: number;
  private readonly call: DetectCall;
  private tracker: FaceTracker;
  private tracks: Track[] = [];
  private readings = new Map<number, Reading>();
  private keyThumb: Float32Array | undefined;
  private keyTime = 0;
  private keySize = '';
  private index = 0;
  /** A face was lost by following: search the next frame. */
  private searchNext = false;
  private lastTime = -Infinity;
  private readonly tally: FollowCounts = { frames: 0, searches: 0, localSearches: 0, readings: 0 };

  constructor(
    private readonly reader: FaceReader,
    private readonly options: FollowOptions = {},
  ) {
    const o = options;
    checkOption('detectEvery', o.detectEvery, (v) => Number.isFinite(v) && v >= 0, 'a number of seconds, 0 or more');
    checkOption('sceneChange', o.sceneChange, (v) => v >= 0, 'a grey difference, 0 or more (Infinity: off)');
    checkOption('maxMismatch', o.maxMismatch, (v) => v > 0, 'a positive number');
    checkOption('searchScale', o.searchScale, (v) => Number.isFinite(v) && v >= 1, 'a number, 1 or more');
    checkOption('keepLost', o.keepLost, (v) => Number.isInteger(v) && v >= 0, 'a whole number of frames, 0 or more');
    checkOption('missedSearches', o.missedSearches, (v) => Number.isInteger(v) && v >= 0, 'a whole number of searches, 0 or more');
    checkOption('classifyEvery', o.classifyEvery, (v) => Number.isFinite(v) && v >= 0, 'a number of seconds, 0 or more');
    checkOption('smoothing', o.smoothing, (v) => Number.isFinite(v) && v >= 0, 'a number of seconds, 0 or more');
    if (o.follow !== undefined && !FOLLOW_METHODS.includes(o.follow))
      throw new FerkitError('BAD_ARGUMENT', `unknown follow method "${String(o.follow)}"; use ${FOLLOW_METHODS.join(' or ')}`);
    this.detectEvery = o.detectEvery ?? 0.5;
    this.sceneChange = o.sceneChange ?? DEFAULT_SCENE_CHANGE;
    this.method = o.follow ?? 'motion';
    this.maxMismatch = o.maxMismatch ?? DEFAULT_MAX_MISMATCH;
    this.searchScale = o.searchScale ?? 2;
    this.keepLost = o.keepLost ?? 1;
    this.missedSearches = o.missedSearches ?? 1;
    this.classifyEvery = o.classifyEvery ?? 0.1;
    this.halfLife = o.smoothing ?? 0.5;
    this.uncertainBelow = o.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
    this.minIou = o.minIou ?? 0.3;
    this.maxMissed = o.maxMissed ?? 10;
    this.call = o.call ?? {};
    this.tracker = new FaceTracker(o);
  }

  /** The work done since the follower was made (or reset). */
  get counts(): FollowCounts {
    return { ...this.tally };
  }

  /** Forgets every face and frame: the next frame starts a new sequence (ids start again at 1). */
  reset(): void {
    this.tracker = new FaceTracker(this.options);
    this.tracks = [];
    this.readings.clear();
    this.keyThumb = undefined;
    this.keySize = '';
    this.searchNext = false;
    this.index = 0;
    this.lastTime = -Infinity;
    Object.assign(this.tally, { frames: 0, searches: 0, localSearches: 0, readings: 0 });
  }

  /** The faces of the next frame, `time` seconds into the sequence (frames in order of time). */
  async next(img: RgbImage, time: number): Promise<FollowedFrame> {
    if (!Number.isFinite(time) || time < this.lastTime)
      throw new FerkitError('BAD_ARGUMENT', `frame times must be finite seconds that do not go back; got ${time} after ${this.lastTime}`);
    if (!(img?.data instanceof Uint8Array) || img.data.length !== img.width * img.height * 3 || !(img.width > 0 && img.height > 0))
      throw new FerkitError('BAD_IMAGE', 'a frame must be an RGB picture: width x height x 3 bytes of data and a positive width and height');
    const index = this.index++;
    this.lastTime = time;
    this.tally.frames++;
    const grey = greyIntegral(img);
    const thumb = thumbnail(grey);
    const size = `${img.width}x${img.height}`;
    const change = this.keyThumb && size === this.keySize ? thumbnailDifference(thumb, this.keyThumb) : Infinity;
    const search: SearchReason | null = !this.keyThumb
      ? 'first'
      : due(time - this.keyTime, this.detectEvery)
        ? 'schedule'
        : change > this.sceneChange
          ? 'scene'
          : this.searchNext
            ? 'lost'
            : null;
    if (search) {
      this.searchNext = false;
      await this.searchWhole(img, grey, index);
      this.keyThumb = thumb;
      this.keyTime = time;
      this.keySize = size;
    } else {
      await this.followAll(img, grey, index);
    }
    const read = await this.readEmotions(img, time, index);
    for (const [id, r] of this.readings) if (index - r.frame > this.maxMissed && !this.tracks.some((t) => t.id === id)) this.readings.delete(id);
    return { index, time, search, change, faces: this.tracks.map((t) => this.output(t, read.has(t.id))) };
  }

  /**
   * The detector over the whole frame: its faces replace the tracks, matched
   * to them by overlap; a followed face it missed is followed on, for up to
   * `missedSearches` searches in a row.
   */
  private async searchWhole(img: RgbImage, grey: GreyIntegral, index: number): Promise<void> {
    this.tally.searches++;
    const faces = await this.reader.detect(img, this.call);
    const ids = this.tracker.update(
      faces.map((f) => f.box),
      index,
    );
    const before = new Map(this.tracks.map((t) => [t.id, t]));
    const detected: Track[] = faces.map((face, k) => {
      const old = before.get(ids[k]);
      const a = old ? centre(old.face.box) : undefined,
        b = centre(face.box);
      return {
        id: ids[k],
        face,
        origin: 'detected',
        missed: 0,
        searchMisses: 0,
        ...(this.method === 'motion' ? { patch: facePatch(grey, face.box) } : {}),
        // a face already followed keeps moving as it did; one just found is taken as still
        velocity: old && old.origin !== 'carried' ? { x: (old.velocity.x + b.x - a!.x) / 2, y: (old.velocity.y + b.y - a!.y) / 2 } : { x: 0, y: 0 },
      };
    });
    const found = new Set(ids);
    const missed: Track[] = [];
    for (const t of before.values()) {
      if (found.has(t.id) || t.origin === 'carried' || t.searchMisses >= this.missedSearches || this.method !== 'motion') continue;
      const moved = this.followMotion(grey, t);
      // not followed, or followed onto a face the detector found: it ends here
      if (!moved || faces.some((f) => iou(f.box, moved.box) >= this.minIou)) continue;
      this.moveTrack(t, moved, grey, index);
      t.searchMisses++;
      missed.push(t);
    }
    this.tracks = [...detected, ...missed];
  }

  /** A track moved to where it was followed in this frame. */
  private moveTrack(t: Track, moved: DetectedFace, grey: GreyIntegral, index: number): void {
    const a = centre(t.face.box),
      b = centre(moved.box);
    t.velocity = { x: b.x - a.x, y: b.y - a.y };
    t.face = moved;
    t.origin = 'tracked';
    t.missed = 0;
    if (this.method === 'motion') t.patch = facePatch(grey, moved.box);
    this.tracker.follow(t.id, moved.box, index);
  }

  /** Each face followed into this frame, or carried at its last box, or dropped when lost for more than `keepLost` frames (after `keepLost` frames, the next frame is searched). */
  private async followAll(img: RgbImage, grey: GreyIntegral, index: number): Promise<void> {
    const kept: Track[] = [];
    for (const t of this.tracks) {
      const moved = this.method === 'motion' ? this.followMotion(grey, t) : await this.followDetect(img, t);
      if (moved) this.moveTrack(t, moved, grey, index);
      else {
        t.missed++;
        if (t.missed >= this.keepLost) this.searchNext = true;
        if (t.missed > this.keepLost) continue;
        t.origin = 'carried';
        t.velocity = { x: 0, y: 0 };
      }
      kept.push(t);
    }
    this.tracks = kept;
  }

  private followMotion(grey: GreyIntegral, t: Track): DetectedFace | undefined {
    const b = t.face.box;
    const predicted = { ...b, x: b.x + t.velocity.x, y: b.y + t.velocity.y };
    const found = t.patch && findPatch(grey, t.patch, predicted, this.maxMismatch);
    return found ? moveFace(t.face, b, found.box) : undefined;
  }

  private async followDetect(img: RgbImage, t: Track): Promise<DetectedFace | undefined> {
    const b = t.face.box;
    const side = Math.max(b.width, b.height) * this.searchScale;
    const c = centre(b);
    const part = cropRgb(img, { x: c.x + t.velocity.x - side / 2, y: c.y + t.velocity.y - side / 2, width: side, height: side });
    if (part.image.width < 8 || part.image.height < 8) return undefined;
    this.tally.localSearches++;
    const faces = await this.reader.detect(part.image, this.call);
    let best: DetectedFace | undefined;
    let bestOverlap = this.minIou;
    for (const f of faces) {
      const placed = moveFace(f, { x: 0, y: 0, width: 1, height: 1 }, { x: part.x, y: part.y, width: 1, height: 1 });
      const o = iou(placed.box, b);
      if (o >= bestOverlap) {
        best = placed;
        bestOverlap = o;
      }
    }
    return best;
  }

  /** Runs the emotion model on the faces that are due (new ones, and those not read for `classifyEvery` seconds); returns their ids. */
  private async readEmotions(img: RgbImage, time: number, index: number): Promise<Set<number>> {
    const dueTracks = this.tracks.filter((t) => {
      const r = this.readings.get(t.id);
      // a carried face's box is where it was, not where it is: its last reading stands
      return !r || (t.origin !== 'carried' && due(time - r.time, this.classifyEvery));
    });
    if (dueTracks.length === 0) return new Set();
    const results = await this.reader.recognizeFaces(
      img,
      dueTracks.map((t) => t.face),
    );
    this.tally.readings += dueTracks.length;
    dueTracks.forEach((t, k) => {
      const face = results[k];
      const raw = EMOTIONS.map((e) => face.emotions[e]);
      const before = this.readings.get(t.id);
      const smooth = smoothStep(before?.smooth, raw, before ? time - before.time : 0, this.halfLife);
      this.readings.set(t.id, { raw, smooth, time, frame: index, face });
    });
    return new Set(dueTracks.map((t) => t.id));
  }

  private output(t: Track, classified: boolean): FollowedFace {
    const r = this.readings.get(t.id)!;
    const emotions = asRecord(r.smooth);
    const top = rankEmotions(emotions);
    const { eyes: _eyes, ...rest } = r.face;
    return {
      ...rest,
      box: t.face.box,
      score: t.face.score,
      ...(t.face.eyes ? { eyes: t.face.eyes } : {}),
      emotions,
      emotion: top[0].label,
      confidence: top[0].score,
      top,
      uncertain: top[0].score < this.uncertainBelow,
      id: t.id,
      origin: t.origin,
      classified,
      raw: asRecord(r.raw),
    };
  }
}
