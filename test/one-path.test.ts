/**
 * One preprocessing path: a picture of a face becomes the same model input
 * whether it is read as training data (an image folder), evaluated, or
 * recognized (detection off, the picture taken as one face).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/node/engine.js';
import { loadDataset } from '../src/data/load.js';
import { decodeFace, loadRgb } from '../src/fs/picture.js';
import { loadModel } from '../src/store/folder.js';
import { batchTensor } from '../src/core/models/predict.js';
import { assembleRecognizer } from '../src/core/recognizer.js';
import { wholeFaceInput } from '../src/core/image/preprocess.js';
import type { EngineInfo } from '../src/core/engine.js';
import { tempDir } from './fixtures.js';

let engine: EngineInfo;
before(async () => {
  engine = await initEngine();
});

/** A smooth RGB picture with some structure, `width` x `height`. */
function picture(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 7 + y * 3) % 256;
      data[i + 1] = Math.round(128 + 100 * Math.sin(x / 5) * Math.cos(y / 7));
      data[i + 2] = (x * y) % 256;
    }
  }
  return data;
}

test('a face picture gives the same model input as training data, in evaluation and through the recognizer', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const sizes = [
      [48, 48],
      [70, 90],
      [160, 120],
    ] as const;
    mkdirSync(join(dir, 'happy'));
    const files: string[] = [];
    for (const [i, [w, h]] of sizes.entries()) {
      const file = join(dir, 'happy', `face-${i}.png`);
      await sharp(picture(w, h), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(file);
      files.push(file);
    }
    // route 1: an image folder read for training or evaluation
    const { dataset } = await loadDataset(dir);
    assert.equal(dataset.count, sizes.length);
    const { model, meta } = await loadModel('paper');
    // the recognizer's model, watched: what it is given is what it classifies
    const seen: Float32Array[] = [];
    const watched = new Proxy(model, {
      get(target, key) {
        if (key === 'predict') {
          return (x: tf.Tensor) => {
            seen.push(x.dataSync() as Float32Array);
            return target.predict(x);
          };
        }
        return Reflect.get(target, key) as unknown;
      },
    });
    const recognizer = assembleRecognizer({ model: watched, meta, engine });
    try {
      for (const [i, file] of files.entries()) {
        const index = dataset.ids.indexOf(file);
        assert.ok(index >= 0, `${file} is in the data set`);
        const fromFolder = dataset.pixels.subarray(index * 2304, (index + 1) * 2304);
        // route 2: the face decoded on its own, and the pure preprocessing of its pixels
        assert.deepEqual(await decodeFace(file), fromFolder, `decodeFace, picture ${i}`);
        assert.deepEqual(wholeFaceInput(await loadRgb(file)), fromFolder, `wholeFaceInput, picture ${i}`);
        // route 3: the recognizer with detection off hands the model the tensor evaluation builds
        seen.length = 0;
        await recognizer.recognizeRgb([await loadRgb(file)]);
        const evaluated = batchTensor(dataset.pixels, [index]);
        assert.equal(seen.length, 1);
        assert.deepEqual(seen[0], evaluated.dataSync(), `model input, picture ${i}`);
        evaluated.dispose();
      }
      // a 48x48 picture is its own model input, pixel for pixel (its grey levels)
      const small = await loadRgb(files[0]);
      const grey = Uint8Array.from({ length: 2304 }, (_, k) =>
        Math.round(0.299 * small.data[k * 3] + 0.587 * small.data[k * 3 + 1] + 0.114 * small.data[k * 3 + 2]),
      );
      assert.deepEqual(wholeFaceInput(small), grey);
    } finally {
      recognizer.dispose();
    }
  } finally {
    cleanup();
  }
});
