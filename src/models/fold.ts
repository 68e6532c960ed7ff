import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import { portableTopology } from './weights.js';

interface LayerJson {
  class_name: string;
  config: Record<string, unknown> & { name: string };
}

/** The batch-norm layer's weights by role, whatever their order. */
function batchNormParams(layer: tf.layers.Layer): { gamma?: tf.Tensor; beta?: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const values = layer.getWeights();
  const byRole: Record<string, tf.Tensor> = {};
  layer.weights.forEach((w, i) => {
    const role = ['moving_mean', 'moving_variance', 'gamma', 'beta'].find((r) => w.originalName.endsWith(r));
    if (role) byRole[role] = values[i];
  });
  if (!byRole['moving_mean'] || !byRole['moving_variance']) throw new FerkitError('BAD_MODEL', `${layer.name}: batch norm without moving statistics`);
  return { gamma: byRole['gamma'], beta: byRole['beta'], mean: byRole['moving_mean'], variance: byRole['moving_variance'] };
}

/**
 * An inference copy of a Sequential model with every batch normalisation
 * that follows a convolution or dense layer folded into that layer's kernel
 * and bias (and a following activation layer merged into it): the same
 * function in fewer operations, so faster at small batches. Models that are
 * not Sequential, or have nothing to fold, are returned as null.
 */
export async function foldBatchNorm(model: tf.LayersModel): Promise<tf.LayersModel | null> {
  const topology = portableTopology(model) as { class_name: string; config: { name: string; layers: LayerJson[] } };
  if (topology.class_name !== 'Sequential') return null;
  const layers = topology.config.layers;
  const out: LayerJson[] = [];
  const weights = new Map<string, tf.Tensor[]>();
  const owned: tf.Tensor[] = [];
  let folded = 0;
  for (let i = 0; i < layers.length; i++) {
    const cfg = layers[i];
    if (cfg.class_name === 'InputLayer') {
      out.push(cfg);
      continue;
    }
    const next = layers[i + 1];
    // batch norm over the last axis (channels-last conv, or dense features)
    const axis = Number(next?.config['axis'] ?? -1);
    const foldable = (cfg.class_name === 'Conv2D' || cfg.class_name === 'Dense') && next?.class_name === 'BatchNormalization'
      && (cfg.config['activation'] ?? 'linear') === 'linear' && (axis === -1 || axis === (cfg.class_name === 'Conv2D' ? 3 : 1));
    const layer = model.getLayer(cfg.config.name);
    if (!foldable) {
      out.push(cfg);
      weights.set(cfg.config.name, layer.getWeights());
      continue;
    }
    const bn = model.getLayer(next.config.name);
    const { gamma, beta, mean, variance } = batchNormParams(bn);
    const eps = Number(next.config['epsilon'] ?? 1e-3);
    const [kernel, bias] = layer.getWeights();
    const [k, b] = tf.tidy(() => {
      const scale = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, eps)));
      const shifted = tf.sub(bias ?? tf.zerosLike(mean), mean);
      return [tf.mul(kernel, scale), tf.add(tf.mul(shifted, scale), beta ?? tf.zerosLike(mean))];
    });
    owned.push(k, b);
    const merged: LayerJson = { class_name: cfg.class_name, config: { ...cfg.config, use_bias: true, bias_initializer: { class_name: 'Zeros', config: {} } } };
    i++; // the batch norm
    if (layers[i + 1]?.class_name === 'Activation') {
      merged.config['activation'] = layers[i + 1].config['activation'];
      i++;
    }
    out.push(merged);
    weights.set(cfg.config.name, [k, b]);
    folded++;
  }
  if (folded === 0) {
    tf.dispose(owned);
    return null;
  }
  try {
    const copy = await tf.models.modelFromJSON({ modelTopology: { ...topology, config: { ...topology.config, layers: out } } } as unknown as tf.io.ModelJSON);
    for (const layer of copy.layers) {
      const w = weights.get(layer.name);
      if (w && w.length) layer.setWeights(w);
    }
    return copy;
  } finally {
    tf.dispose(owned);
  }
}
