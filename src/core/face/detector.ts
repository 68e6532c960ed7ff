/**
 * Face detection: SSD-MobileNet v1 and 68-point landmarks, the pretrained
 * models of @vladmandic/face-api. Platform-neutral: the face-api build and
 * its weights come from an adapter (src/node/face-api.ts, src/browser/face-api.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import type { RgbImage } from '../image/pixels.js';
import { centroid } from './align.js';
import { type Box, type Point } from '../image/geometry.js';
import { clippedToPicture, searchesTiles, suppressOverlaps, TILE, tileOrigins } from './tiles.js';

/** A face found in a picture. */
export interface DetectedFace {
  /** In input pixels. */
  box: Box;
  /** Detector confidence, 0..1. */
  score: number;
  /** Eye centres, where landmarks were computed. */
  eyes?: { left: Point; right: Point };
  /** The 68 facial landmarks (iBUG order), in input pixels, where computed. */
  landmarks?: Point[];
  /** BlazeFace's six keypoints, in input pixels: the person's right eye, left eye, nose tip, mouth centre, right ear, left ear. */
  keypoints?: Point[];
}

/**
 * Which face detector: `fast` (BlazeFace), `accurate` (SSD-MobileNet v1,
 * tiles for large pictures, 68 landmarks) or `auto` (fast for close-ups,
 * accurate otherwise; see face/choice.ts).
 */
export type DetectorChoice = 'fast' | 'accurate' | 'auto';

/** The stages of recognizing a picture, as `DetectCall.onStage` reports them. */
export type PipelineStage = 'pixels' | 'detection' | 'landmarks' | 'crops' | 'emotion';

/** What a recognizer asks of its detector for one picture. */
export interface DetectCall {
  /** Overrides the recognizer's detector choice for this call (a webcam loop asks for `fast`). */
  detector?: DetectorChoice;
  /**
   * Told the milliseconds each stage took (a stage may be told several
   * times per picture: add them up): the picture resized for a network
   * (`pixels`), the detector's network and decoding (`detection`), the
   * landmarks (`landmarks`), the 48x48 crops (`crops`) and the emotion model
   * with its read-back (`emotion`). For benchmarks; costs nothing when absent.
   */
  onStage?: (stage: PipelineStage, ms: number) => void;
}

/** What the recognizer needs of a face detector. */
export interface Detector {
  /** Faces in an RGB image, largest first. No face gives an empty list. */
  detect(img: RgbImage, call?: DetectCall): Promise<DetectedFace[]>;
  /** Frees the detector's networks. */
  dispose(): void;
}

export interface DetectorOptions {
  /** Which detector; default `auto`. */
  kind?: DetectorChoice;
  /** Faces below this detection confidence are dropped. Default 0.5. */
  minConfidence?: number;
  /** At most this many faces per picture. Default 100. */
  maxFaces?: number;
  /** Compute 68 landmarks (for eye levelling). Default true. */
  landmarks?: boolean;
  /**
   * Also search overlapping 640-pixel tiles, so that small faces in large
   * pictures are found (the detector sees the picture at 512x512). `auto`
   * (default) tiles pictures whose longer side exceeds 1280 pixels.
   */
  tiles?: 'auto' | boolean;
}

export { suppressOverlaps, tileOrigins } from './tiles.js';

/* The small part of @vladmandic/face-api that ferkit uses. */
interface FaceApiBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface FaceApiDetection {
  box: FaceApiBox;
  score: number;
}
interface FaceApiLandmarks {
  positions: { x: number; y: number }[];
}
interface FaceApiNet {
  loadFromWeightMap(map: tf.NamedTensorMap): void;
  dispose(): void;
}
export interface FaceApi {
  SsdMobilenetv1: new () => FaceApiNet & { locateFaces(input: tf.Tensor, options: unknown): Promise<FaceApiDetection[]> };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  FaceLandmark68Net: new () => FaceApiNet & {
    /** One face, or a batch of faces (an array, answered with an array in the same order). */
    detectLandmarks(input: tf.Tensor | tf.Tensor[]): Promise<FaceApiLandmarks | FaceApiLandmarks[]>;
  };
  /** face-api.js's own emotion model (only `npm run bench:libraries` uses it, to compare). */
  FaceExpressionNet: new () => FaceApiNet & { forward(input: tf.Tensor3D[]): Promise<tf.Tensor2D> };
}

/** The pretrained face-api networks a detector needs, by their names in face-api's model folder. */
export type DetectorNetwork = 'ssd_mobilenetv1_model' | 'face_landmark_68_model';

/** Where a detector gets face-api and the weights of its networks. */
export interface FaceApiSource {
  api: FaceApi;
  /** The weights of one of face-api's pretrained networks. */
  weights(name: DetectorNetwork | 'face_expression_model'): Promise<tf.NamedTensorMap>;
}

/**
 * Face detection with SSD-MobileNet v1 and 68-point landmarks, the pretrained
 * models shipped inside the @vladmandic/face-api package (installed with
 * `npm ci`, never downloaded at run time). Load once, detect many times,
 * dispose at the end.
 */
export class FaceDetector implements Detector {
  private constructor(
    private readonly api: FaceApi,
    private readonly ssd: InstanceType<FaceApi['SsdMobilenetv1']>,
    private readonly landmarkNet: InstanceType<FaceApi['FaceLandmark68Net']> | undefined,
    readonly options: Required<Omit<DetectorOptions, 'kind'>>,
  ) {}

  static async load(source: FaceApiSource, options: Omit<DetectorOptions, 'kind'> = {}): Promise<FaceDetector> {
    const opts: Required<Omit<DetectorOptions, 'kind'>> = {
      minConfidence: options.minConfidence ?? 0.5,
      maxFaces: options.maxFaces ?? 100,
      landmarks: options.landmarks ?? true,
      tiles: options.tiles ?? 'auto',
    };
    if (!(opts.minConfidence >= 0 && opts.minConfidence <= 1))
      throw new FerkitError('BAD_ARGUMENT', `minimum confidence must be between 0 and 1, got ${opts.minConfidence}`);
    const { api } = source;
    const ssd = new api.SsdMobilenetv1();
    let landmarkNet;
    try {
      ssd.loadFromWeightMap(await source.weights('ssd_mobilenetv1_model'));
      if (opts.landmarks) {
        landmarkNet = new api.FaceLandmark68Net();
        landmarkNet.loadFromWeightMap(await source.weights('face_landmark_68_model'));
      }
    } catch (err) {
      ssd.dispose();
      landmarkNet?.dispose();
      throw err;
    }
    return new FaceDetector(api, ssd, landmarkNet, opts);
  }

  /** Faces in an RGB image, largest first. No face gives an empty list. */
  async detect(img: RgbImage): Promise<DetectedFace[]> {
    const input = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    try {
      const ssdOptions = new this.api.SsdMobilenetv1Options({ minConfidence: this.options.minConfidence, maxResults: this.options.maxFaces });
      let found: { box: Box; score: number }[] = (await this.ssd.locateFaces(input, ssdOptions)).map((d) => ({
        box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height },
        score: d.score,
      }));
      if (searchesTiles(this.options.tiles, img.width, img.height)) {
        for (const ty of tileOrigins(img.height)) {
          for (const tx of tileOrigins(img.width)) {
            const th = Math.min(TILE, img.height),
              tw = Math.min(TILE, img.width);
            const part = tf.tidy(() => tf.slice(input, [ty, tx, 0], [th, tw, 3]));
            const dets = await this.ssd.locateFaces(part, ssdOptions).finally(() => part.dispose());
            for (const d of dets) found.push({ box: { x: d.box.x + tx, y: d.box.y + ty, width: d.box.width, height: d.box.height }, score: d.score });
          }
        }
        found = suppressOverlaps(found).slice(0, this.options.maxFaces);
      }
      const faces: DetectedFace[] = clippedToPicture(found, img.width, img.height);
      if (this.landmarkNet && faces.length > 0) await this.addLandmarks(input, img, faces);
      return faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    } finally {
      input.dispose();
    }
  }

  /** The 68 landmarks and eye centres of all faces of a picture, in one batch. */
  private async addLandmarks(input: tf.Tensor3D, img: RgbImage, faces: DetectedFace[]): Promise<void> {
    const origins = faces.map(({ box }) => {
      const bx = Math.floor(box.x),
        by = Math.floor(box.y);
      return { bx, by, bw: Math.max(2, Math.min(img.width - bx, Math.ceil(box.width))), bh: Math.max(2, Math.min(img.height - by, Math.ceil(box.height))) };
    });
    const crops = origins.map(({ bx, by, bw, bh }) => tf.slice(input, [by, bx, 0], [bh, bw, 3]));
    let marks: FaceApiLandmarks[];
    try {
      const out = await this.landmarkNet!.detectLandmarks(crops);
      marks = Array.isArray(out) ? out : [out];
    } finally {
      crops.forEach((c) => c.dispose());
    }
    faces.forEach((face, k) => {
      const { bx, by } = origins[k];
      const pts = marks[k].positions.map((p) => ({ x: p.x + bx, y: p.y + by }));
      face.landmarks = pts;
      face.eyes = { left: centroid(pts.slice(36, 42)), right: centroid(pts.slice(42, 48)) };
    });
  }

  dispose(): void {
    this.ssd.dispose();
    this.landmarkNet?.dispose();
  }
}
