/**
 * Run by `oneDnnWorks` in a child process with TF_ENABLE_ONEDNN_OPTS=1:
 * builds each architecture named on the command line, takes one training
 * step at each batch size and predicts once. Exits 0 when oneDNN ran all of
 * it; a oneDNN fault kills this process, not the caller.
 *
 *   node onednn-probe.js BATCHES ARCH...   (BATCHES: comma-separated sizes)
 */
import * as tf from '@tensorflow/tfjs';
import { getArchitecture } from '../core/models/architectures.js';
import { NUM_CLASSES } from '../core/labels.js';
import { IMAGE_SIZE } from '../core/image/preprocess.js';

const NATIVE_PACKAGE: string = '@tensorflow/tfjs-node';
await import(NATIVE_PACKAGE);
await tf.setBackend('tensorflow');
const [batches = '1', ...architectures] = process.argv.slice(2);
for (const name of architectures) {
  const model = getArchitecture(name).build({ seed: 1, numClasses: NUM_CLASSES, inputSize: IMAGE_SIZE });
  const optimizer = tf.train.adam(1e-4);
  for (const size of batches.split(',').map(Number)) {
    tf.tidy(() => {
      const x = tf.randomUniform([size, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const y = tf.oneHot(tf.zeros([size], 'int32'), NUM_CLASSES).toFloat();
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor));
      (model.predict(x) as tf.Tensor).dataSync();
    });
  }
  model.dispose();
  optimizer.dispose();
}
