/**
 * The face detectors on ONNX Runtime: BlazeFace (fast) and SSD-MobileNet v1
 * with the 68-point landmark net (accurate), from the ONNX files that
 * ferkit writes when it is built (src/core/face/onnx-nets.ts). Pre- and
 * post-processing are computed as the TensorFlow.js detectors compute them
 * (src/core/face/blazeface.ts, src/core/face/detector.ts), so both find the same
 * faces. Platform-neutral: a platform hands over a runner per network.
 */
import { FerkitError } from '../errors.js';
import type { NetRunner } from '../ort.js';
import type { RgbImage } from '../image/pixels.js';
import type { Box, Point } from '../image/geometry.js';
import { resizeToNchw } from '../image/resize.js';
import { centroid } from './align.js';
import { blazeFaceAnchors, blendOverlaps, decodeBlazeFace, letterbox, toDetectedFace, BLAZEFACE_BACK, type BlazeFaceLayout } from './blazeface-decode.js';
import type { DetectCall, DetectedFace, Detector, DetectorOptions, PipelineStage } from './detector.js';
import { clippedToPicture, searchesTiles, suppressOverlaps, TILE, tileOrigins } from './tiles.js';
import { BLAZEFACE_OUTPUTS, DETECTOR_INPUT, LANDMARKS_OUTPUT, LANDMARKS_SIZE, SSD_SIZE } from './onnx-nets.js';

export type { NetRunner, NetTensor } from '../ort.js';

function checkConfidence(v: number): void {
  if (!(v >= 0 && v <= 1)) throw new FerkitError('BAD_ARGUMENT', `minimum confidence must be between 0 and 1, got ${v}`);
}

/** Runs `work`, telling `call.onStage` how long it took. */
async function timed<T>(call: DetectCall | undefined, stage: PipelineStage, work: () => T | Promise<T>): Promise<T> {
  if (!call?.onStage) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    call.onStage(stage, performance.now() - start);
  }
}

const TO_MINUS_ONE_ONE = { add: [-127.5, -127.5, -127.5] as const, mul: 1 / 127.5 };

/** BlazeFace on a runner: faces and their eyes in one pass of a small network. */
export class OnnxBlazeFace implements Detector {
  private readonly anchors: Float32Array;

  constructor(
    private readonly net: NetRunner,
    readonly options: { minConfidence?: number; maxFaces?: number; layout?: BlazeFaceLayout } = {},
    private readonly layout = options.layout ?? BLAZEFACE_BACK,
  ) {
    checkConfidence(options.minConfidence ?? 0.5);
    this.anchors = blazeFaceAnchors(this.layout.size, this.layout.layers);
  }

  async detect(img: RgbImage, call?: DetectCall): Promise<DetectedFace[]> {
    const size = this.layout.size;
    const lb = letterbox(img.width, img.height, size);
    const whole = { x: 0, y: 0, width: img.width, height: img.height };
    // an input of its own per call: calls may overlap (a service answering several requests at once)
    const input = await timed(call, 'pixels', () =>
      resizeToNchw(img, { region: whole, valid: whole, width: lb.width, height: lb.height, planeWidth: size, planeHeight: size, ...TO_MINUS_ONE_ONE }),
    );
    return timed(call, 'detection', () => this.run(img, lb, input));
  }

  private async run(img: RgbImage, lb: ReturnType<typeof letterbox>, input: Float32Array): Promise<DetectedFace[]> {
    const size = this.layout.size;
    const out = await this.net.run({ [DETECTOR_INPUT]: { data: input, dims: [1, 3, size, size] } }, BLAZEFACE_OUTPUTS);
    const [s16, s8, r16, r8] = BLAZEFACE_OUTPUTS.map((name) => out[name]);
    const logits = new Float32Array(s16.length + s8.length);
    logits.set(s16);
    logits.set(s8, s16.length);
    const regressions = new Float32Array(r16.length + r8.length);
    regressions.set(r16);
    regressions.set(r8, r16.length);
    const found = blendOverlaps(decodeBlazeFace(logits, regressions, this.anchors, lb, this.options.minConfidence ?? 0.5, size));
    return found
      .slice(0, this.options.maxFaces ?? 100)
      .map((c) => toDetectedFace(c, img.width, img.height))
      .filter((f): f is DetectedFace => f !== undefined)
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Intersection over union of two [top, left, bottom, right] boxes, as face-api.js computes it for its suppression. */
function cornerIou(b: Float32Array, i: number, j: number): number {
  const yminI = Math.min(b[i * 4], b[i * 4 + 2]),
    xminI = Math.min(b[i * 4 + 1], b[i * 4 + 3]),
    ymaxI = Math.max(b[i * 4], b[i * 4 + 2]),
    xmaxI = Math.max(b[i * 4 + 1], b[i * 4 + 3]);
  const yminJ = Math.min(b[j * 4], b[j * 4 + 2]),
    xminJ = Math.min(b[j * 4 + 1], b[j * 4 + 3]),
    ymaxJ = Math.max(b[j * 4], b[j * 4 + 2]),
    xmaxJ = Math.max(b[j * 4 + 1], b[j * 4 + 3]);
  const areaI = (ymaxI - yminI) * (xmaxI - xminI),
    areaJ = (ymaxJ - yminJ) * (xmaxJ - xminJ);
  if (areaI <= 0 || areaJ <= 0) return 0;
  const inter = Math.max(Math.min(ymaxI, ymaxJ) - Math.max(yminI, yminJ), 0) * Math.max(Math.min(xmaxI, xmaxJ) - Math.max(xminI, xminJ), 0);
  return inter / (areaI + areaJ - inter);
}

/** The anchors kept by face-api.js's suppression: above `minScore`, best first, none overlapping a kept one by more than IoU 0.5. Pure. */
export function ssdSuppression(boxes: Float32Array, scores: Float32Array, maxFaces: number, minScore: number): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > minScore) candidates.push(i);
  candidates.sort((a, b) => scores[b] - scores[a]);
  const kept: number[] = [];
  for (const c of candidates) {
    if (kept.length >= Math.min(maxFaces, scores.length)) break;
    if (kept.every((k) => cornerIou(boxes, c, k) <= 0.5)) kept.push(c);
  }
  return kept;
}

/** SSD-MobileNet v1 and the 68-point landmarks on runners: the accurate detector, for faces of every size. */
export class OnnxSsdDetector implements Detector {
  private readonly opts: Required<Omit<DetectorOptions, 'kind'>>;

  constructor(
    private readonly ssd: NetRunner,
    private readonly landmarkNet: NetRunner | undefined,
    options: Omit<DetectorOptions, 'kind'> = {},
  ) {
    this.opts = {
      minConfidence: options.minConfidence ?? 0.5,
      maxFaces: options.maxFaces ?? 100,
      landmarks: options.landmarks ?? true,
      tiles: options.tiles ?? 'auto',
    };
    checkConfidence(this.opts.minConfidence);
  }

  /** Faces of a picture (or a part of it at `origin`), in picture pixels, before clipping. */
  private async locate(img: RgbImage, part: Box, call?: DetectCall): Promise<{ box: Box; score: number }[]> {
    const side = Math.max(part.width, part.height);
    // padded to a square at the right or bottom with black, resized to 512x512, -1..1
    // an input of its own per call: calls may overlap (a service answering several requests at once)
    const input = await timed(call, 'pixels', () =>
      resizeToNchw(img, { region: { x: part.x, y: part.y, width: side, height: side }, valid: part, width: SSD_SIZE, height: SSD_SIZE, ...TO_MINUS_ONE_ONE }),
    );
    return timed(call, 'detection', () => this.locateResized(part, side, input));
  }

  private async locateResized(part: Box, side: number, input: Float32Array): Promise<{ box: Box; score: number }[]> {
    const out = await this.ssd.run({ [DETECTOR_INPUT]: { data: input, dims: [1, 3, SSD_SIZE, SSD_SIZE] } }, ['boxes', 'scores']);
    const boxes = out['boxes'],
      scores = out['scores'];
    const keep = ssdSuppression(boxes, scores, this.opts.maxFaces, this.opts.minConfidence);
    // face-api.js: the box's share of the padded input, over the picture's share of it (sides rounded as face-api.js rounds them)
    const scale = SSD_SIZE / side;
    const padX = SSD_SIZE / Math.round(part.width * scale),
      padY = SSD_SIZE / Math.round(part.height * scale);
    return keep.map((i) => {
      const top = Math.max(0, boxes[i * 4]) * padY,
        bottom = Math.min(1, boxes[i * 4 + 2]) * padY;
      const left = Math.max(0, boxes[i * 4 + 1]) * padX,
        right = Math.min(1, boxes[i * 4 + 3]) * padX;
      return {
        box: { x: part.x + left * part.width, y: part.y + top * part.height, width: (right - left) * part.width, height: (bottom - top) * part.height },
        score: scores[i],
      };
    });
  }

  async detect(img: RgbImage, call?: DetectCall): Promise<DetectedFace[]> {
    const whole = { x: 0, y: 0, width: img.width, height: img.height };
    let found = await this.locate(img, whole, call);
    if (searchesTiles(this.opts.tiles, img.width, img.height)) {
      for (const ty of tileOrigins(img.height))
        for (const tx of tileOrigins(img.width))
          found.push(...(await this.locate(img, { x: tx, y: ty, width: Math.min(TILE, img.width), height: Math.min(TILE, img.height) }, call)));
      found = suppressOverlaps(found).slice(0, this.opts.maxFaces);
    }
    const faces: DetectedFace[] = clippedToPicture(found, img.width, img.height);
    if (this.opts.landmarks && this.landmarkNet && faces.length > 0) await timed(call, 'landmarks', () => this.addLandmarks(img, faces, this.landmarkNet!));
    return faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }

  /** The 68 landmarks and eye centres of all faces of a picture, in one batch, as face-api.js computes them. */
  private async addLandmarks(img: RgbImage, faces: DetectedFace[], net: NetRunner): Promise<void> {
    const plane = LANDMARKS_SIZE * LANDMARKS_SIZE * 3;
    const input = new Float32Array(plane * faces.length);
    const crops = faces.map(({ box }, k) => {
      const bx = Math.floor(box.x),
        by = Math.floor(box.y);
      const bw = Math.max(2, Math.min(img.width - bx, Math.ceil(box.width))),
        bh = Math.max(2, Math.min(img.height - by, Math.ceil(box.height)));
      // padded to a square, centred (face-api.js appends the rounded half and prepends the rest), resized to 112x112
      const side = Math.max(bw, bh);
      const diff = side - Math.min(bw, bh);
      const before = diff - Math.round(diff * 0.5);
      const region = { x: bx - (bw < bh ? before : 0), y: by - (bh < bw ? before : 0), width: side, height: side };
      resizeToNchw(
        img,
        {
          region,
          valid: { x: bx, y: by, width: bw, height: bh },
          width: LANDMARKS_SIZE,
          height: LANDMARKS_SIZE,
          add: [-122.782, -117.001, -104.298],
          mul: 1 / 255,
        },
        input,
        k * plane,
      );
      return { bx, by, bw, bh };
    });
    const out = (await net.run({ [DETECTOR_INPUT]: { data: input, dims: [faces.length, 3, LANDMARKS_SIZE, LANDMARKS_SIZE] } }, [LANDMARKS_OUTPUT]))[
      LANDMARKS_OUTPUT
    ];
    faces.forEach((face, k) => {
      const { bx, by, bw, bh } = crops[k];
      // face-api.js's post-processing: the padded square's coordinates back to the crop's
      const scale = LANDMARKS_SIZE / Math.max(bw, bh);
      const sw = bw * scale,
        sh = bh * scale;
      const padX = sw < sh ? Math.abs(sw - sh) / 2 : 0,
        padY = sh < sw ? Math.abs(sw - sh) / 2 : 0;
      const pts: Point[] = [];
      for (let i = 0; i < 68; i++) {
        const rx = (out[k * 136 + 2 * i] * LANDMARKS_SIZE - padX) / sw,
          ry = (out[k * 136 + 2 * i + 1] * LANDMARKS_SIZE - padY) / sh;
        pts.push({ x: rx * bw + bx, y: ry * bh + by });
      }
      face.landmarks = pts;
      face.eyes = { left: centroid(pts.slice(36, 42)), right: centroid(pts.slice(42, 48)) };
    });
  }

  dispose(): void {
    this.ssd.dispose();
    this.landmarkNet?.dispose();
  }
}
