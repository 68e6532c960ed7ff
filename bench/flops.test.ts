import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { layerFlops, modelFlops } from './flops.js';

test('FLOPs of conv, depthwise, separable and dense layers match hand counts', () => {
  const model = tf.sequential({
    layers: [
      // 48x48x1 -> 48x48x8, 3x3: 2*48*48*9*1*8
      tf.layers.conv2d({ inputShape: [48, 48, 1], filters: 8, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      // 24x24x8 -> 22x22x8 (valid), 3x3 depthwise, multiplier 1: 2*22*22*9*8
      tf.layers.depthwiseConv2d({ kernelSize: 3 }),
      // 22x22x8 -> 11x11x16, stride 2, 3x3 depthwise + 1x1: 2*11*11*(9*8 + 8*16)
      tf.layers.separableConv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.flatten(),
      // 1936 -> 7: 2*1936*7
      tf.layers.dense({ units: 7 }),
    ],
  });
  const expected = [2 * 48 * 48 * 9 * 8, 0, 0, 2 * 22 * 22 * 9 * 8, 2 * 11 * 11 * (9 * 8 + 8 * 16), 0, 2 * 1936 * 7];
  assert.deepEqual(
    model.layers.map((l) => layerFlops(l)),
    expected,
  );
  assert.equal(
    modelFlops(model.layers),
    expected.reduce((a, b) => a + b),
  );
  // a model nested as a layer counts its layers
  const outer = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [48, 48, 1] }), model] });
  assert.equal(modelFlops(outer.layers), modelFlops(model.layers));
  model.dispose();
});
