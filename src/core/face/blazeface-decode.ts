/**
 * BlazeFace's anchors, letterbox and decoding: what turns the network's raw
 * outputs into faces, whichever runtime ran it (TensorFlow.js in
 * src/core/face/blazeface.ts, ONNX Runtime in src/core/face/onnx-detectors.ts). Pure;
 * platform-neutral; no TensorFlow.js.
 */
import type { Box, Point } from '../image/geometry.js';
import type { DetectedFace } from './detector.js';

/** The back model's input side, in pixels. */
export const BLAZEFACE_SIZE = 256;

/** One grid of anchors: its stride in input pixels and its anchors per cell. */
export interface AnchorLayer {
  stride: number;
  perCell: number;
}

/** A BlazeFace model's shape: its input side, its anchor grids (in output order) and its file. */
export interface BlazeFaceLayout {
  size: number;
  layers: readonly AnchorLayer[];
  /** The model file inside its folder. */
  file: string;
}

/** The 256x256 back-camera model (the default): faces down to about a tenth of the picture's longer side. */
export const BLAZEFACE_BACK: BlazeFaceLayout = {
  size: 256,
  layers: [
    { stride: 16, perCell: 2 },
    { stride: 32, perCell: 6 },
  ],
  file: 'blazeface.json',
};

/** The 128x128 front-camera model: faces of about a fifth of the picture or more (a webcam's), at a quarter of the work. */
export const BLAZEFACE_FRONT: BlazeFaceLayout = {
  size: 128,
  layers: [
    { stride: 8, perCell: 2 },
    { stride: 16, perCell: 6 },
  ],
  file: 'blazeface-front.json',
};

/** The layout of a model by its input side (128: front, 256: back); undefined for any other. */
export function blazeFaceLayoutFor(size: number): BlazeFaceLayout | undefined {
  return [BLAZEFACE_BACK, BLAZEFACE_FRONT].find((l) => l.size === size);
}
/** Values per anchor in the regression output: box (4) and six keypoints (12). */
const REGRESSION_VALUES = 16;

/** The model file inside its folder (the package's `models/`). */
export const BLAZEFACE_MODEL_FILE = 'blazeface.json';

/**
 * Anchor centres, normalised to 0..1, in the order of the network's outputs
 * (the finer grid first). `layers` defaults to the back model's. Pure.
 */
export function blazeFaceAnchors(size = BLAZEFACE_SIZE, layers: readonly AnchorLayer[] = BLAZEFACE_BACK.layers): Float32Array {
  const out: number[] = [];
  for (const { stride, perCell } of layers) {
    const cells = Math.ceil(size / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) out.push((x + 0.5) / cells, (y + 0.5) / cells);
      }
    }
  }
  return Float32Array.from(out);
}

/** Logistic function, clamped as MediaPipe does so that huge logits stay finite. */
export function sigmoid(logit: number): number {
  const z = Math.max(-100, Math.min(100, logit));
  return 1 / (1 + Math.exp(-z));
}

/** How the picture was placed into the network's square input: input pixel = network pixel * scale. */
export interface Letterbox {
  /** Picture pixels per network pixel. */
  scale: number;
  /** The picture's size inside the network input, in network pixels. */
  width: number;
  height: number;
}

/** The letterbox of a picture: scaled so its longer side fills the input, padded at the right or bottom. Pure. */
export function letterbox(width: number, height: number, size = BLAZEFACE_SIZE): Letterbox {
  const scale = Math.max(width, height) / size;
  return { scale, width: Math.max(1, Math.round(width / scale)), height: Math.max(1, Math.round(height / scale)) };
}

/** A face decoded from one anchor, in picture pixels, before overlaps are removed. */
export interface BlazeFaceCandidate {
  box: Box;
  score: number;
  /** Right eye, left eye (the person's), nose tip, mouth centre, right ear, left ear. */
  keypoints: Point[];
}

/**
 * Decodes the network's outputs: every anchor whose score reaches
 * `minConfidence` becomes a face in picture pixels. `logits` has one value
 * per anchor, `regressions` sixteen. Pure.
 */
export function decodeBlazeFace(
  logits: ArrayLike<number>,
  regressions: ArrayLike<number>,
  anchors: Float32Array,
  box: Letterbox,
  minConfidence: number,
  size = BLAZEFACE_SIZE,
): BlazeFaceCandidate[] {
  const out: BlazeFaceCandidate[] = [];
  const n = anchors.length / 2;
  // network pixels -> picture pixels
  const px = box.scale;
  for (let i = 0; i < n; i++) {
    const score = sigmoid(logits[i]);
    if (score < minConfidence) continue;
    const r = i * REGRESSION_VALUES;
    const ax = anchors[2 * i] * size,
      ay = anchors[2 * i + 1] * size;
    const cx = ax + regressions[r],
      cy = ay + regressions[r + 1];
    const w = regressions[r + 2],
      h = regressions[r + 3];
    const keypoints: Point[] = [];
    for (let k = 0; k < 6; k++) keypoints.push({ x: (ax + regressions[r + 4 + 2 * k]) * px, y: (ay + regressions[r + 5 + 2 * k]) * px });
    out.push({ box: { x: (cx - w / 2) * px, y: (cy - h / 2) * px, width: w * px, height: h * px }, score, keypoints });
  }
  return out;
}

/** Intersection over union of two boxes. Pure. */
export function boxIou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * Non-maximum suppression with blending: each kept face is the
 * score-weighted mean of the candidates overlapping it by more than
 * `minIou` (steadier boxes from frame to frame than keeping the best one
 * alone, as MediaPipe does). Its score stays the best one's. Pure.
 */
export function blendOverlaps(candidates: readonly BlazeFaceCandidate[], minIou = 0.3): BlazeFaceCandidate[] {
  const rest = [...candidates].sort((a, b) => b.score - a.score);
  const kept: BlazeFaceCandidate[] = [];
  while (rest.length > 0) {
    const best = rest[0];
    const group: BlazeFaceCandidate[] = [];
    for (let i = rest.length - 1; i >= 0; i--) {
      if (boxIou(best.box, rest[i].box) > minIou || i === 0) group.push(...rest.splice(i, 1));
    }
    const total = group.reduce((s, c) => s + c.score, 0);
    const mean = (get: (c: BlazeFaceCandidate) => number) => group.reduce((s, c) => s + get(c) * c.score, 0) / total;
    kept.push({
      box: { x: mean((c) => c.box.x), y: mean((c) => c.box.y), width: mean((c) => c.box.width), height: mean((c) => c.box.height) },
      score: best.score,
      keypoints: best.keypoints.map((_, k) => ({ x: mean((c) => c.keypoints[k].x), y: mean((c) => c.keypoints[k].y) })),
    });
  }
  return kept;
}

/**
 * BlazeFace's box is tighter than SSD-MobileNet's, which the crop margin
 * and the emotion models were set up with: it is grown to SSD-MobileNet's
 * framing (factors measured on matched faces of the photos in the shared
 * data, see `npm run bench:detectors`), so crops look the same whichever
 * detector found the face.
 */
export const BLAZEFACE_TO_SSD = { width: 0.895, height: 1.214, dy: -0.116 } as const;

/** A BlazeFace face as ferkit's detected face: box in SSD-MobileNet's framing, clipped to the picture, eyes from the keypoints. Pure. */
export function toDetectedFace(c: BlazeFaceCandidate, width: number, height: number): DetectedFace | undefined {
  const cx = c.box.x + c.box.width / 2,
    cy = c.box.y + c.box.height / 2 + c.box.height * BLAZEFACE_TO_SSD.dy;
  const w = c.box.width * BLAZEFACE_TO_SSD.width,
    h = c.box.height * BLAZEFACE_TO_SSD.height;
  const x = Math.max(0, cx - w / 2),
    y = Math.max(0, cy - h / 2);
  const box = { x, y, width: Math.min(width, cx + w / 2) - x, height: Math.min(height, cy + h / 2) - y };
  if (box.width < 2 || box.height < 2) return undefined;
  // the person's right eye is on the picture's left: `left` and `right` are as seen, like the 68 landmarks' eyes
  const [a, b] = c.keypoints;
  const eyes = a.x <= b.x ? { left: a, right: b } : { left: b, right: a };
  return { box, score: c.score, eyes, keypoints: c.keypoints };
}

export interface BlazeFaceOptions {
  /** Faces below this detection confidence are dropped. Default 0.5. */
  minConfidence?: number;
  /** At most this many faces per picture. Default 100. */
  maxFaces?: number;
  /** The model's shape; default: told by its input size (`BLAZEFACE_FRONT` for 128x128, `BLAZEFACE_BACK` for 256x256). */
  layout?: BlazeFaceLayout;
}
