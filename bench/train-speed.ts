/**
 * Training speed of the paper CNN at batch 32: images per second on the
 * engine `ferkit train` would pick, and Keras 3 on TensorFlow (same net,
 * optimizer, batch and image count) measured in the same run, in turns.
 * Not a test: it prints figures.
 *
 *   npm run bench:train [-- --backend native|wasm|cpu] [--arch paper] [--images 3200] [--epochs 4] [--rounds 2] [--json FILE]
 *
 * Keras runs from the Python given by FERKIT_KERAS_PYTHON, else from a
 * virtual environment in the system temp folder:
 *
 *   python3 -m venv $TMPDIR/ferkit-keras && $TMPDIR/ferkit-keras/bin/pip install tensorflow-cpu==2.21.0
 *
 * Without one, the Keras column is skipped with that hint.
 */
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { syntheticFaces } from '../test/fixtures.js';
import { cpuDescription, median } from './timing.js';
import { initTrainingEngine, train } from '../src/entries/train.js';
import type { EngineChoice } from '../src/entries/models.js';
import { makeDataset } from '../src/entries/data.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    arch: { type: 'string' },
    images: { type: 'string' },
    epochs: { type: 'string' },
    rounds: { type: 'string' },
    'batch-size': { type: 'string' },
    json: { type: 'string' },
    'one-run': { type: 'boolean' },
  },
});
const arch = values.arch ?? 'paper';
const batchSize = Number(values['batch-size'] ?? 32);
const epochs = Number(values.epochs ?? 4);

export interface TrainSpeed {
  cpu: string;
  arch: string;
  batchSize: number;
  images: number;
  /** ferkit's engine and kernels. */
  engine: string;
  /** Median images/second over the epochs after the first, each round. */
  ferkit: number[];
  keras?: { version: string; imagesPerSecond: number[] };
  /** Why Keras was not measured. */
  kerasSkipped?: string;
  /** Median of ferkit's rounds over the median of Keras's. */
  ratio?: number;
}

/** One ferkit measurement in this process: prints `{ engine, imagesPerSecond }` as JSON. */
async function oneRun(): Promise<void> {
  const engine = await initTrainingEngine((values.backend ?? process.env.FERKIT_BACKEND ?? 'auto') as EngineChoice, { architecture: arch, batchSize });
  const images = Number(values.images ?? (engine.native ? 3200 : 96));
  const { pixels, labels } = syntheticFaces(Math.ceil(images / 7));
  const data = makeDataset({ pixels, labels, ids: Array.from(labels, (_, i) => `synthetic:${i}`) });
  const { history, model } = await train({ train: data, config: { arch, epochs, batchSize } });
  model.dispose();
  tf.disposeVariables();
  const speeds = history.slice(1).map((h) => h.imagesPerSecond);
  console.log(
    JSON.stringify({
      engine: `${engine.backend} (${engine.reason})`,
      images: data.count,
      imagesPerSecond: median(speeds),
      tensors: history.map((h) => h.numTensors),
    }),
  );
}

function kerasPython(): string | undefined {
  const candidates = [process.env.FERKIT_KERAS_PYTHON, join(os.tmpdir(), 'ferkit-keras', 'bin', 'python')].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p) && spawnSync(p, ['-c', 'import tensorflow'], { stdio: 'ignore' }).status === 0);
}

function lastJsonLine(out: string): Record<string, unknown> {
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result in:\n${out.slice(-2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const rounds = Number(values.rounds ?? 2);
  const self = fileURLToPath(import.meta.url);
  const python = kerasPython();
  const kerasScript = fileURLToPath(new URL('../../bench/keras-train.py', import.meta.url));
  const result: TrainSpeed = { cpu: cpuDescription(), arch, batchSize, images: 0, engine: '', ferkit: [] };
  if (!python) {
    result.kerasSkipped = `no Python with TensorFlow: set FERKIT_KERAS_PYTHON, or run \`python3 -m venv ${join(os.tmpdir(), 'ferkit-keras')} && ${join(os.tmpdir(), 'ferkit-keras', 'bin', 'pip')} install tensorflow-cpu==2.21.0\``;
  } else if (arch !== 'paper') {
    result.kerasSkipped = 'the Keras script builds the paper CNN only';
  }
  const keras = python && arch === 'paper' ? { version: '', imagesPerSecond: [] as number[] } : undefined;
  console.log(
    `ferkit training benchmark: ${arch} CNN, batch ${batchSize}, ${epochs} epochs (the first is warm-up), ${rounds} round(s), ferkit and Keras in turns`,
  );
  console.log(`CPU: ${result.cpu}`);
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--json' && all[i - 1] !== '--json');
  for (let round = 0; round < rounds; round++) {
    const f = spawnSync(process.execPath, [self, '--one-run', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (f.status !== 0) throw new Error(`ferkit run failed (${f.signal ?? f.status}):\n${f.stderr.slice(-2000)}`);
    const fr = lastJsonLine(f.stdout);
    result.engine = String(fr['engine']);
    result.images = Number(fr['images']);
    result.ferkit.push(Number(fr['imagesPerSecond']));
    console.log(`  round ${round + 1}: ferkit ${result.ferkit.at(-1)!.toFixed(1)} images/s`);
    if (keras && python) {
      const k = spawnSync(python, [kerasScript, '--images', String(result.images), '--epochs', String(epochs), '--batch-size', String(batchSize)], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      if (k.status !== 0) throw new Error(`Keras run failed (${k.signal ?? k.status}):\n${k.stderr.slice(-2000)}`);
      const kr = lastJsonLine(k.stdout);
      keras.version = `Keras ${String(kr['keras'])} on TensorFlow ${String(kr['tensorflow'])}`;
      keras.imagesPerSecond.push(median((kr['imagesPerSecond'] as number[]).slice(1)));
      console.log(`  round ${round + 1}: Keras ${keras.imagesPerSecond.at(-1)!.toFixed(1)} images/s`);
    }
  }
  if (keras) {
    result.keras = keras;
    result.ratio = median(result.ferkit) / median(keras.imagesPerSecond);
  }
  console.log(`ferkit: ${median(result.ferkit).toFixed(1)} images/second (median of rounds; ${result.engine})`);
  if (result.keras) console.log(`Keras:  ${median(result.keras.imagesPerSecond).toFixed(1)} images/second (${result.keras.version}, oneDNN on, its default)`);
  console.log(result.ratio !== undefined ? `ferkit / Keras: ${result.ratio.toFixed(2)}x` : `Keras skipped: ${result.kerasSkipped}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
}

if (values['one-run']) await oneRun();
else await main();
