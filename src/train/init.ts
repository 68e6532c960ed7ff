import type * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { unfoldBatchNorm } from '../core/models/fold.js';
import { batchTensor, range } from '../core/models/predict.js';
import { loadModel } from '../store/folder.js';

/** How many training faces give the batch-norm statistics of an unfolded model. */
const UNFOLD_SAMPLE = 512;

/**
 * Copies the weights of the model saved in `dir` into `model` (same
 * architecture, layer by layer): the start of fine-tuning (`TrainOptions.init`).
 * An exported model, whose batch norms are folded into its layers, is
 * unfolded with batch-norm statistics from the first faces of `data`.
 */
export async function initialiseFrom(dir: string, model: tf.LayersModel, arch: string, data: Dataset): Promise<void> {
  const source = await loadModel(dir);
  try {
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
    if (source.meta.foldedBatchNorm) {
      const faces = batchTensor(data.pixels, range(0, Math.min(UNFOLD_SAMPLE, data.count)));
      try {
        unfoldBatchNorm(source.model, model, faces);
      } finally {
        faces.dispose();
      }
      return;
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
