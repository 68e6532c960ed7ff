import { FerkitError } from '../core/errors.js';
import { getArchitecture } from '../core/models/architectures.js';
import { NO_AUGMENTATION, STANDARD_AUGMENTATION, type AugmentConfig } from './augment.js';
import type { ClassWeighting } from './balance.js';
import { EQUALIZATIONS, type Equalization } from '../core/image/equalize.js';

/** How to train. Defaults are the paper's recipe. */
export interface TrainConfig {
  /** Architecture name in the registry. Default `paper`. */
  arch: string;
  /** Default 50 (the paper). */
  epochs: number;
  /** Default 32 (the paper). */
  batchSize: number;
  /** Seeds weight initialisation, shuffling and dropout. Default 42. */
  seed: number;
  /** `adam`, or `sgd`: stochastic gradient descent with Nesterov momentum (`momentum`). Default adam. */
  optimizer: 'adam' | 'sgd';
  /** Nesterov momentum of the `sgd` optimizer. Default 0.9. */
  momentum: number;
  /** Learning rate (the peak, with a schedule). Default 1e-4. */
  learningRate: number;
  /**
   * `constant`; `cosine` decay to 0 over the run; or `plateau`: the rate
   * times `plateauFactor` each time validation accuracy has not improved for
   * `plateauPatience` epochs. Both after `warmupEpochs` of linear warm-up. Default constant.
   */
  schedule: 'constant' | 'cosine' | 'plateau';
  /** Epochs of linear learning-rate warm-up (cosine and plateau schedules). Default 0. */
  warmupEpochs: number;
  /** Epochs without a better validation accuracy before the plateau schedule lowers the rate. Default 5. */
  plateauPatience: number;
  /** What the plateau schedule multiplies the rate by. Default 0.5. */
  plateauFactor: number;
  /** Decoupled weight decay (AdamW style) on kernels. Default 0. */
  weightDecay: number;
  /** Loss weights per class from the training counts. Default none. */
  classWeighting: ClassWeighting;
  /** Draw each batch class-balanced (with replacement). Default false. */
  balancedSampling: boolean;
  /** Focal loss exponent; 0 is plain cross-entropy. Default 0. */
  focalGamma: number;
  /** Label smoothing epsilon. Default 0. */
  labelSmoothing: number;
  /**
   * Contrast equalisation of every face before the network (training and
   * validation faces here, and the model's input in use: it is stored in the
   * model's preprocessing). Default none.
   */
  equalize: 'none' | Equalization;
  /** On-the-fly augmentation. Default none (the paper recipe). */
  augment: AugmentConfig;
  /** Mixup: blend each batch with a shuffled copy of itself, images and targets, by a Beta(alpha, alpha) weight; 0 = off. Default 0. */
  mixup: number;
  /** Keep the weights of the epoch with the best validation accuracy as the final model. Default false. */
  keepBest: boolean;
  /** Stop when validation accuracy has not improved for this many epochs; 0 = never. Default 0. */
  earlyStopping: number;
  /** Fit a temperature on the validation data after training and store it with the model. Default false. */
  calibrate: boolean;
  /**
   * Knowledge distillation: the weight of the teacher's soft targets
   * (`TrainOptions.teacher`) against the labels, in [0, 1]; 0 trains on the
   * labels alone. Default 0, or 0.5 with a teacher (DISTILL_DEFAULTS).
   */
  distillWeight: number;
  /** Softening of the teacher's probabilities, softmax(log p / T). Default 1, or 2 with a teacher (DISTILL_DEFAULTS). */
  distillTemperature: number;
}

export const PAPER_RECIPE: TrainConfig = {
  arch: 'paper',
  epochs: 50,
  batchSize: 32,
  seed: 42,
  optimizer: 'adam',
  momentum: 0.9,
  learningRate: 1e-4,
  schedule: 'constant',
  warmupEpochs: 0,
  plateauPatience: 5,
  plateauFactor: 0.5,
  weightDecay: 0,
  classWeighting: 'none',
  balancedSampling: false,
  focalGamma: 0,
  labelSmoothing: 0,
  equalize: 'none',
  augment: NO_AUGMENTATION,
  mixup: 0,
  keepBest: false,
  earlyStopping: 0,
  calibrate: false,
  distillWeight: 0,
  distillTemperature: 1,
};

/** ferkit's recommended recipe beyond the paper: see docs/experiments.md for how it was chosen. */
export const RECOMMENDED_RECIPE: TrainConfig = {
  ...PAPER_RECIPE,
  arch: 'vgg',
  epochs: 60,
  batchSize: 64,
  learningRate: 2e-3,
  schedule: 'cosine',
  warmupEpochs: 2,
  weightDecay: 1e-4,
  classWeighting: 'effective',
  labelSmoothing: 0.1,
  augment: STANDARD_AUGMENTATION,
  keepBest: true,
  earlyStopping: 0,
  calibrate: true,
};

/** The distillation settings a run with a teacher starts from (what `ferkit train --teacher` uses): half teacher, softened at T = 2. */
export const DISTILL_DEFAULTS: Pick<TrainConfig, 'distillWeight' | 'distillTemperature'> = { distillWeight: 0.5, distillTemperature: 2 };

/**
 * The full config of a run: the paper's recipe, the distillation defaults
 * when there is a teacher, then `config`; checked.
 */
export function resolveConfig(config: Partial<TrainConfig> = {}, teacher?: string): TrainConfig {
  const c: TrainConfig = { ...PAPER_RECIPE, ...(teacher ? DISTILL_DEFAULTS : {}), ...config, augment: { ...NO_AUGMENTATION, ...config.augment } };
  validateConfig(c);
  if (c.distillWeight > 0 && !teacher) {
    throw new FerkitError('BAD_ARGUMENT', `a distillation weight of ${c.distillWeight} needs a teacher model (set teacher to a model folder)`, {
      options: ['teacher'],
    });
  }
  if (teacher && c.distillWeight === 0) {
    throw new FerkitError('BAD_ARGUMENT', `a teacher (${teacher}) needs a distillation weight above 0 (config.distillWeight), else it would be ignored`, {
      options: ['config.distillWeight'],
    });
  }
  return c;
}

function validateConfig(c: TrainConfig): void {
  const positiveInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) throw new FerkitError('BAD_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  };
  positiveInt(c.epochs, 'epochs');
  positiveInt(c.batchSize, 'batch size');
  if (!Number.isInteger(c.seed)) throw new FerkitError('BAD_ARGUMENT', `seed must be an integer, got ${c.seed}`);
  if (!(c.learningRate > 0)) throw new FerkitError('BAD_ARGUMENT', `learning rate must be positive, got ${c.learningRate}`);
  if (!['constant', 'cosine', 'plateau'].includes(c.schedule))
    throw new FerkitError('BAD_ARGUMENT', `schedule must be constant, cosine or plateau, got ${c.schedule}`);
  if (!['adam', 'sgd'].includes(c.optimizer)) throw new FerkitError('BAD_ARGUMENT', `optimizer must be adam or sgd, got ${c.optimizer}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) throw new FerkitError('BAD_ARGUMENT', `momentum must be in [0, 1), got ${c.momentum}`);
  positiveInt(c.plateauPatience, 'plateau patience');
  if (!(c.plateauFactor > 0 && c.plateauFactor < 1)) throw new FerkitError('BAD_ARGUMENT', `plateau factor must be in (0, 1), got ${c.plateauFactor}`);
  if (!['none', 'inverse', 'effective'].includes(c.classWeighting))
    throw new FerkitError('BAD_ARGUMENT', `class weighting must be none, inverse or effective, got ${c.classWeighting}`);
  if (!(c.mixup >= 0 && Number.isFinite(c.mixup)))
    throw new FerkitError('BAD_ARGUMENT', `mixup alpha must be a number >= 0 (0 = off; 0.2 is usual), got ${c.mixup}`);
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) throw new FerkitError('BAD_ARGUMENT', `label smoothing must be in [0, 1), got ${c.labelSmoothing}`);
  if (c.equalize !== 'none' && !EQUALIZATIONS.includes(c.equalize))
    throw new FerkitError('BAD_ARGUMENT', `equalize must be none, ${EQUALIZATIONS.join(' or ')}, got ${String(c.equalize)}`);
  if (!(c.focalGamma >= 0)) throw new FerkitError('BAD_ARGUMENT', `focal gamma must be >= 0, got ${c.focalGamma}`);
  if (!(c.weightDecay >= 0)) throw new FerkitError('BAD_ARGUMENT', `weight decay must be >= 0, got ${c.weightDecay}`);
  if (!(c.distillWeight >= 0 && c.distillWeight <= 1)) throw new FerkitError('BAD_ARGUMENT', `distillation weight must be in [0, 1], got ${c.distillWeight}`);
  if (!(c.distillTemperature > 0)) throw new FerkitError('BAD_ARGUMENT', `distillation temperature must be positive, got ${c.distillTemperature}`);
  getArchitecture(c.arch);
}
