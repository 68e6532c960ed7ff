import * as tf from '@tensorflow/tfjs';
import { fillDropoutMask, mixSeed } from '../random.js';

export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

/**
 * Dropout whose masks come from a seed and the training step, so a training
 * run is reproducible and a resumed run continues exactly where it stopped.
 * The training loop sets `step` before each batch. At inference it is the
 * identity; saved models write it as a standard Keras `Dropout` layer.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  /** Training step the next mask belongs to; set by the training loop. */
  step = 0;

  constructor(args: SeededDropoutArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs['training'] || this.rate <= 0) return x.clone();
    return tf.tidy(() => {
      const n = x.size;
      const keep = 1 - this.rate;
      const scale = 1 / keep;
      const mask = fillDropoutMask(new Float32Array(n), mixSeed(this.seed, this.step), keep, scale);
      return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
