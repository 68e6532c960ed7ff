/**
 * face-api.js's expression network (FaceExpressionNet, MIT, weights shipped
 * in @vladmandic/face-api) as a ferkit model: its name, its labels mapped
 * onto ferkit's seven emotions, its own preprocessing, and the metadata
 * ferkit reports for it. Pure; no TensorFlow.js.
 */
import { EMOTIONS, type Emotion } from '../labels.js';
import { IMAGE_SIZE } from '../image/preprocess.js';
import { DEFAULT_PREPROCESSING, type ModelMetadata } from './metadata.js';

/** The name that means face-api.js's expression net wherever a model name is accepted (eval, ensemble, train --teacher, predict). */
export const FACE_API_EXPRESSIONS = 'face-api-expressions';

/** The architecture name in ferkit.json of a folder holding face-api.js's expression net. */
export const FACE_API_EXPRESSION_ARCHITECTURE = 'face-api-expression';

/** The weight files' base name in face-api's model folder (`<name>-weights_manifest.json`, `<name>.bin`). */
export const FACE_API_EXPRESSION_WEIGHTS = 'face_expression_model';

/** The weight manifest's file name of the net, in face-api's model folder and in an ensemble's member folder. */
export const FACE_API_EXPRESSION_MANIFEST = `${FACE_API_EXPRESSION_WEIGHTS}-weights_manifest.json`;

/** face-api.js's output classes, in its output order (its FACE_EXPRESSION_LABELS). */
export const FACE_API_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** face-api.js's name of each of ferkit's emotions. */
const FACE_API_NAME: Record<Emotion, (typeof FACE_API_LABELS)[number]> = {
  angry: 'angry',
  disgust: 'disgusted',
  fear: 'fearful',
  happy: 'happy',
  sad: 'sad',
  surprise: 'surprised',
  neutral: 'neutral',
};

/** For each of ferkit's emotions (EMOTIONS order), the index of face-api's output that holds it. Pure. */
export function faceApiLabelOrder(): number[] {
  return EMOTIONS.map((e) => FACE_API_LABELS.indexOf(FACE_API_NAME[e]));
}

/** Rows of face-api's seven probabilities, reordered into ferkit's EMOTIONS order, as a new array. Pure. */
export function toFerkitOrder(probabilities: ArrayLike<number>, n: number): Float32Array {
  const order = faceApiLabelOrder();
  const k = order.length;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = probabilities[i * k + order[j]];
  return out;
}

/**
 * face-api.js's own input for a face crop (FaceFeatureExtractor.forwardInput,
 * NetInput.toBatchTensor(112, true)): three colour channels in 0..255,
 * padded to a square (centred), resized to 112x112 bilinearly, mean RGB
 * subtracted, divided by 255. Fed ferkit's 48x48 grey crops, the three
 * channels are the grey value and the padding is none.
 */
export const FACE_API_INPUT = {
  inputSize: 112,
  channels: 3,
  padToSquare: 'centred',
  resize: 'bilinear',
  meanRgb: [122.782, 117.001, 104.298],
  scale: 1 / 255,
} as const;

/**
 * The interpolation matrix of TensorFlow.js's `resizeBilinear(x, [out, out],
 * alignCorners = false, halfPixelCenters = false)` along one axis, as face-api
 * resizes: `out` rows of `in` weights; resizing a square picture P is R P Rᵀ.
 * Pure.
 */
export function bilinearMatrix(inSize: number, outSize: number): Float32Array {
  if (!(Number.isSafeInteger(inSize) && inSize > 0 && Number.isSafeInteger(outSize) && outSize > 0)) {
    throw new RangeError(`bilinearMatrix needs positive whole sizes, got ${inSize} and ${outSize}`);
  }
  const r = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const source = o * scale;
    const lo = Math.floor(source);
    const hi = Math.min(inSize - 1, Math.ceil(source));
    const frac = source - lo;
    r[o * inSize + lo] += 1 - frac;
    r[o * inSize + hi] += frac;
  }
  return r;
}

/**
 * What ferkit knows of face-api.js's expression net: ferkit's seven labels
 * (its outputs are reordered), and the input ferkit hands it (its 48x48 grey
 * crops, scaled to 0..1), which the network's own preprocessing
 * (FACE_API_INPUT) turns into face-api's 112x112 colour input.
 */
export function faceApiExpressionMetadata(description = "face-api.js's FaceExpressionNet (MIT), as shipped in @vladmandic/face-api"): ModelMetadata {
  return {
    format: 'ferkit-model',
    formatVersion: 1,
    architecture: FACE_API_EXPRESSION_ARCHITECTURE,
    labels: [...EMOTIONS],
    preprocessing: { ...DEFAULT_PREPROCESSING, inputSize: IMAGE_SIZE, network: { ...FACE_API_INPUT, meanRgb: [...FACE_API_INPUT.meanRgb] } },
    description,
    training: { source: '@vladmandic/face-api', licence: 'MIT', labels: [...FACE_API_LABELS] },
  };
}
