import type * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import { loadModel } from '../node/model-folder.js';

/**
 * Copies the weights of the model saved in `dir` into `model` (same
 * architecture, layer by layer): the start of fine-tuning (`TrainOptions.init`).
 */
export async function initialiseFrom(dir: string, model: tf.LayersModel, arch: string): Promise<void> {
  const source = await loadModel(dir);
  try {
    if (source.meta.foldedBatchNorm) {
      throw new FerkitError(
        'BAD_ARGUMENT',
        `${dir} is an exported copy with batch norm folded into its layers; start from the folder training saved (before export)`,
        { options: ['init'] },
      );
    }
    if (source.meta.members) {
      throw new FerkitError('BAD_ARGUMENT', `${dir} is an ensemble; start from one of its member-N folders (as training saved it, not an exported copy)`, {
        options: ['init'],
      });
    }
    if (source.meta.architecture !== arch) {
      throw new FerkitError(
        'BAD_ARGUMENT',
        `${dir} holds a ${source.meta.architecture} model, not ${arch}; set config.arch to ${source.meta.architecture} to fine-tune it`,
        { options: ['config.arch'] },
      );
    }
    const from = source.model.weights;
    const to = model.weights;
    const same = from.length === to.length && to.every((w, i) => w.shape.join('x') === from[i].shape.join('x'));
    if (!same)
      throw new FerkitError(
        'BAD_MODEL',
        `${dir}: its weights do not match the ${arch} architecture (${from.length} tensors, expected ${to.length} of the same shapes)`,
      );
    model.setWeights(from.map((w) => w.read()));
  } finally {
    source.model.dispose();
  }
}
