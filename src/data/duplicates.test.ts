import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../node/engine.js';
import { PIXELS_PER_IMAGE } from '../core/image/preprocess.js';
import { type Dataset } from './dataset.js';
import { DUPLICATE_THRESHOLD, duplicateIndices, nearestFaces, withoutCopies } from './duplicates.js';
import { createRng } from '../core/random.js';
import { syntheticFaces } from '../../test/fixtures.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');

function dataset(images: Uint8Array[]): Dataset {
  const pixels = new Uint8Array(images.length * PIXELS_PER_IMAGE);
  images.forEach((img, i) => pixels.set(img, i * PIXELS_PER_IMAGE));
  return {
    pixels,
    labels: new Int32Array(images.length),
    count: images.length,
    ids: images.map((_, i) => `img${i}`),
    rows: new Int32Array(images.length).fill(-1),
  };
}

/** A random face-sized picture with values in [50, 200), seeded. */
function randomImage(seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: PIXELS_PER_IMAGE }, () => 50 + Math.floor(rng() * 150));
}

const mirror = (img: Uint8Array) => Uint8Array.from(img, (_, k) => img[Math.floor(k / 48) * 48 + (47 - (k % 48))]);

test('nearest faces: copies, brightened and contrast-changed copies are found; mirrored and other faces are not duplicates', async () => {
  const ref = Array.from({ length: 6 }, (_, i) => randomImage(100 + i));
  const query = [
    ref[2], // the same picture
    Uint8Array.from(ref[4], (v) => Math.round(v * 0.8 + 30)), // brighter, less contrast, re-quantised
    mirror(ref[1]),
    randomImage(999), // another face
    new Uint8Array(PIXELS_PER_IMAGE).fill(128), // no variation at all
  ];
  const faces = await nearestFaces(dataset(query), dataset(ref));
  assert.equal(faces.nearest[0], 2);
  assert.ok(faces.similarity[0] > 0.9999, `copy: ${faces.similarity[0]}`);
  assert.equal(faces.nearest[1], 4);
  assert.ok(faces.similarity[1] > 0.999, `brightened copy: ${faces.similarity[1]}`);
  for (const i of [2, 3]) assert.ok(faces.similarity[i] < 0.2, `face ${i}: ${faces.similarity[i]}`);
  assert.ok(Math.abs(faces.similarity[4]) < 1e-6, `uniform face: ${faces.similarity[4]}`);
  assert.deepEqual(Array.from(duplicateIndices(faces)), [0, 1]);
  assert.deepEqual(Array.from(duplicateIndices(faces, 0.1 + faces.similarity[2])), [0, 1]);
  // steps of two query faces give the same answer as one step. The engine may
  // sum a matrix product in another order for another batch shape, thread
  // count or CPU, so similarities are compared with a tolerance: each is a
  // float32 dot product of two unit vectors of 2,304 entries, whose rounding
  // error is at most about 2304 x 2^-24 = 1.4e-4 whatever the order, so two orders differ by at most
  // 2.8e-4 (measured: under 1e-7). The copies (faces 0 and 1) win by more than 0.8, so their nearest
  // faces must agree; the others win by less, or tie (the uniform face), and are not compared.
  const stepped = await nearestFaces(dataset(query), dataset(ref), { batch: 2 });
  assert.deepEqual(Array.from(stepped.nearest.slice(0, 2)), Array.from(faces.nearest.slice(0, 2)));
  stepped.similarity.forEach((s, i) => assert.ok(Math.abs(s - faces.similarity[i]) <= 3e-4, `face ${i}: ${s} vs ${faces.similarity[i]}`));
  assert.throws(() => duplicateIndices(faces, 1.5), /cosine similarity in \(0, 1\]/);
  await assert.rejects(nearestFaces(dataset(query), dataset([])), /no reference images/);
  assert.equal((await nearestFaces(dataset([]), dataset(ref))).nearest.length, 0);

  // the same faces without the copies; labels tell how many copies carry their training face's label
  const labelled = { ...dataset(query), labels: Int32Array.from([5, 1, 0, 0, 0]) };
  const training = { ...dataset(ref), labels: Int32Array.from([0, 0, 5, 0, 2, 0]) };
  const r = await withoutCopies(labelled, training);
  assert.equal(r.copies, 2);
  assert.equal(r.sameLabel, 1); // query 0 copies reference 2 (label 5 = 5); query 1 copies reference 4 (label 1 != 2)
  assert.deepEqual(r.dataset.ids, ['img2', 'img3', 'img4']);
  assert.equal(r.dataset.count, 3);
  await assert.rejects(withoutCopies(labelled, training, 0), /cosine similarity in \(0, 1\]/);
});

test('faces of one synthetic class with other noise are alike but not copies at the default threshold', async () => {
  const a = syntheticFaces(2, 7, 1),
    b = syntheticFaces(2, 7, 2);
  const split = (d: { pixels: Uint8Array }) => Array.from({ length: 14 }, (_, i) => d.pixels.slice(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE));
  const faces = await nearestFaces(dataset(split(b)), dataset(split(a)));
  for (let i = 0; i < 14; i++) {
    assert.equal(faces.nearest[i] % 7, i % 7, 'the nearest face is of the same class');
    assert.ok(faces.similarity[i] < DUPLICATE_THRESHOLD, `${faces.similarity[i]}`);
  }
});
