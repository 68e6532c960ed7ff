import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';

/** One model that averages the outputs of models of the same input and output shapes. */
export function averageModels(models: tf.LayersModel[]): tf.LayersModel {
  if (models.length === 0) throw new FerkitError('BAD_ARGUMENT', 'an ensemble needs at least one member');
  if (models.length === 1) return models[0];
  const shape = (m: tf.LayersModel) => JSON.stringify([m.inputs[0].shape, m.outputs[0].shape]);
  if (models.some((m) => shape(m) !== shape(models[0]))) {
    throw new FerkitError('BAD_MODEL', `ensemble members differ in input or output shape (${models.map(shape).join(' vs ')})`);
  }
  const input = tf.input({ shape: models[0].inputs[0].shape.slice(1) as number[], name: 'faces' });
  const outputs = models.map((m) => m.apply(input) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: tf.layers.average({ name: 'mean_probabilities' }).apply(outputs) as tf.SymbolicTensor, name: 'ensemble' });
}
