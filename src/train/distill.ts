/**
 * Knowledge distillation: the probabilities of a trained model (the teacher,
 * for example an ensemble) as soft targets for training another (the
 * student), so that one fast network learns what several slower ones know.
 */
import { FerkitError } from '../core/errors.js';
import { EMOTIONS, NUM_CLASSES } from '../core/labels.js';
import { IMAGE_SIZE } from '../core/image/preprocess.js';
import { type Dataset } from '../data/dataset.js';
import type { StartClassifier } from '../core/platform.js';
import { resolveModelDir } from '../fs/paths.js';
import { classifierProbabilities, type RuntimeChoice } from '../core/models/classifier.js';
import { applyTemperature } from '../core/models/calibration.js';

export interface TeacherOptions {
  /** Softening: softmax(log p / T); T > 1 spreads the teacher's probability over the classes it finds likely. */
  temperature: number;
  /** Average the teacher over each face and its mirror image. Default true. */
  tta?: boolean;
  batchSize?: number;
  /** What runs the teacher: default `tfjs`, the training engine as set up (face-api.js's net by its own TensorFlow.js code); `auto` or `onnx` for ONNX Runtime. */
  runtime?: RuntimeChoice;
  /** Starts the teacher: the platform's `startClassifier` (Node's in `ferkit/train`). */
  startClassifier: StartClassifier;
}

/**
 * The teacher's softened probabilities for every image of a dataset
 * (count * 7 floats, each row summing to 1). `teacher` is a model folder, a
 * bundled name (`default`), `face-api-expressions` (face-api.js's expression
 * net, with its own preprocessing) or an ensemble of them; it must predict
 * ferkit's seven emotions from 48x48 grey faces. Its own fitted calibration
 * is not applied: `temperature` is the one softening. TensorFlow.js, where
 * the teacher needs it, runs as already set up.
 */
export async function teacherTargets(teacher: string, ds: Dataset, options: TeacherOptions): Promise<Float32Array> {
  if (!(options.temperature > 0)) throw new FerkitError('BAD_ARGUMENT', `distillation temperature must be positive, got ${options.temperature}`);
  const { classifier, meta } = await options.startClassifier(teacher, { runtime: options.runtime ?? 'tfjs', backend: 'current' });
  const dir = resolveModelDir(teacher);
  try {
    if (meta.labels.join() !== EMOTIONS.join() || meta.preprocessing.inputSize !== IMAGE_SIZE || meta.preprocessing.channels !== 1) {
      throw new FerkitError(
        'BAD_MODEL',
        `the teacher in ${dir} predicts [${meta.labels.join(', ')}] from ${meta.preprocessing.inputSize}x${meta.preprocessing.inputSize}x${meta.preprocessing.channels} inputs; a teacher must predict ferkit's seven emotions from 48x48 grey faces`,
        { file: dir },
      );
    }
    // the teacher's own preprocessing, not its calibration
    const probs = await classifierProbabilities(classifier, meta, ds.pixels, {
      tta: options.tta ?? true,
      batchSize: options.batchSize ?? 256,
      temperature: 1,
      classBias: false,
    });
    return applyTemperature(probs, NUM_CLASSES, options.temperature, probs);
  } finally {
    classifier.dispose();
  }
}

/** Row-wise (1 - weight) * own + weight * teacher, as a new array. Pure. */
export function mixTargets(own: Float32Array, teacher: Float32Array, weight: number): Float32Array {
  if (own.length !== teacher.length) throw new FerkitError('BAD_ARGUMENT', `targets (${own.length}) and teacher targets (${teacher.length}) differ in size`);
  const out = new Float32Array(own.length);
  for (let i = 0; i < own.length; i++) out[i] = (1 - weight) * own[i] + weight * teacher[i];
  return out;
}
