/** ferkit.json: what a saved model says about itself beyond its weights. Pure types and checks. */
import { EMOTIONS } from '../labels.js';
import { IMAGE_SIZE } from '../image/preprocess.js';
import type { Equalization } from '../image/equalize.js';

/** How a model expects its input; stored with the model. */
export interface Preprocessing {
  inputSize: number;
  channels: 1;
  /** grey = ITU-R BT.601 luminance of the RGB image. */
  colour: 'grey';
  /** pixel / 255, giving [0,1]. */
  scale: number;
  /** Contrast equalisation of each grey face before scaling (see src/core/image/equalize.ts); none when absent. */
  equalize?: Equalization;
  /**
   * The network's own input, when it is not the crop itself: the network
   * turns ferkit's crop into it (face-api.js's expression net: 112x112,
   * three channels, mean RGB subtracted; src/core/models/face-api-expression.ts).
   */
  network?: NetworkInput;
}

/** A network's own input, made by the network from ferkit's crop. */
export interface NetworkInput {
  inputSize: number;
  channels: number;
  /** How a crop that is not square is made square. */
  padToSquare?: 'centred';
  resize?: 'bilinear';
  /** Subtracted from the 0..255 colour channels before scaling. */
  meanRgb?: number[];
  scale: number;
}

/** How an ensemble combines its members' probabilities: their weighted mean, or the normalised weighted mean of their logarithms (a weighted geometric mean). */
export type EnsembleCombine = 'probabilities' | 'log';

export const DEFAULT_PREPROCESSING: Preprocessing = { inputSize: IMAGE_SIZE, channels: 1, colour: 'grey', scale: 1 / 255 };

/** A fitted temperature and what it did on the data it was fitted on. */
export interface Calibration {
  temperature: number;
  /** Expected calibration error before and after, on `fittedOn`. */
  eceBefore: number;
  eceAfter: number;
  nllBefore: number;
  nllAfter: number;
  fittedOn: string;
  samples: number;
  /**
   * Log-space offsets per class, added after the temperature, that maximise
   * macro-F1 on `fittedOn` (threshold moving; `ferkit calibrate --class-bias`).
   */
  classBias?: number[];
  /** Macro-F1 on `fittedOn` without and with the class bias. */
  macroF1Before?: number;
  macroF1After?: number;
}

/** ferkit.json: what ferkit knows of a saved model beyond its weights. */
export interface ModelMetadata {
  format: 'ferkit-model';
  formatVersion: 1;
  /** Registry name of the architecture. */
  architecture: string;
  /** Output classes in output order. */
  labels: string[];
  preprocessing: Preprocessing;
  /** The configuration the model was trained with. */
  training?: Record<string, unknown>;
  /** Final metrics, e.g. { validation: { accuracy, loss }, train: {...} }. */
  metrics?: Record<string, unknown>;
  parameters?: number;
  /** Temperature scaling fitted on held-out data; applied to every prediction. */
  calibration?: Calibration;
  createdAt?: string;
  description?: string;
  /** How weights.bin stores the weights (float32 unless exported with --float16). */
  weightsDtype?: WeightsDtype;
  /** Batch norms folded into the layers before them (an inference-only copy made by `ferkit export`). */
  foldedBatchNorm?: boolean;
  /**
   * An ensemble (`ferkit ensemble`): the sub-folders holding its member
   * models, whose probabilities it averages. Such a folder has no model.json
   * of its own.
   */
  members?: string[];
  /** An ensemble's weight of each member, in `members` order, summing to 1; equal when absent. */
  memberWeights?: number[];
  /** How an ensemble combines its members; `probabilities` when absent. */
  combine?: EnsembleCombine;
}

/** float32, or float16 (half the size; tfjs decodes it back to float32 on load). */
export type WeightsDtype = 'float32' | 'float16';


/** The metadata assumed for a plain TensorFlow.js model folder without ferkit.json. */
export function plainModelMetadata(): ModelMetadata {
  return { format: 'ferkit-model', formatVersion: 1, architecture: 'unknown', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING };
}

/** The training log a model folder keeps beside its weights (one JSON line per epoch). */
export const TRAINING_LOG = 'train-log.jsonl';
