/**
 * Training speed of the paper CNN at batch 32: images per second on the
 * backend ferkit picks (or --backend NAME). Not a test: it prints figures.
 *
 *   npm run bench:train [-- --backend native|wasm|cpu] [--arch paper] [--images 3200] [--epochs 4]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/node/engine.js';
import { type EngineChoice } from '../src/engine.js';
import { makeDataset } from '../src/data/dataset.js';
import { train } from '../src/train/train.js';
import { syntheticFaces } from '../test/fixtures.js';
import { cpuDescription } from './timing.js';

const { values } = parseArgs({
  options: { backend: { type: 'string' }, arch: { type: 'string' }, images: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' } },
});
const engine = await initEngine((values.backend ?? 'auto') as EngineChoice, { training: true });
const arch = values.arch ?? 'paper';
const batchSize = Number(values['batch-size'] ?? 32);
const images = Number(values.images ?? (engine.native ? 3200 : 96));
const epochs = Number(values.epochs ?? 4);
const perClass = Math.ceil(images / 7);
const { pixels, labels } = syntheticFaces(perClass);
const data = makeDataset({ pixels, labels, ids: Array.from(labels, (_, i) => `synthetic:${i}`) });

console.log(`ferkit training benchmark: ${arch} CNN, batch ${batchSize}, ${data.count} images x ${epochs} epochs (the first is warm-up)`);
console.log(`backend: ${engine.backend} (${engine.reason}); CPU: ${cpuDescription()}`);
const { history, model } = await train({ train: data, config: { arch, epochs, batchSize } });
model.dispose();
for (const h of history) console.log(`  epoch ${h.epoch}: ${h.imagesPerSecond.toFixed(1)} img/s, ${h.numTensors} tensors`);
const measured = history
  .slice(1)
  .map((h) => h.imagesPerSecond)
  .sort((a, b) => a - b);
const mid = measured.length >> 1;
const median = measured.length % 2 ? measured[mid] : (measured[mid - 1] + measured[mid]) / 2;
console.log(`training speed: ${median.toFixed(1)} images/second, median of the epochs after the first (${arch}, batch ${batchSize}, ${engine.backend})`);
console.log(`tensors after each epoch: ${history.map((h) => h.numTensors).join(', ')} (flat = no leak)`);
tf.disposeVariables();
