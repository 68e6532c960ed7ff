/**
 * The face detectors on real photos (the shared data's group and portrait
 * photos, and face-api.js's examples with their tight 150x150 crops): the
 * default (`auto`) finds every face that either detector finds; the 68
 * landmarks come out the same in one batch as one face at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from './engine.js';
import { loadRgb } from '../fs/picture.js';
import { nodeFaceApi } from './face-api.js';
import { loadAccurateDetector, loadFastDetector } from './index.js';
import { loadDetector } from './index.js';
import { boxIou } from '../core/face/blazeface.js';
import { ChoosingDetector } from '../core/face/choice.js';
import type { DetectedFace, Detector } from '../core/face/detector.js';
import type { RgbImage } from '../core/image/pixels.js';
import type { Box } from '../core/image/geometry.js';
import { SHARED_DATA, needs } from '../../test/fixtures.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');
const PHOTOS = join(SHARED_DATA, 'photos');
const BBT4 = join(PHOTOS, 'faceapi-examples', 'bbt4.jpg');

function photoFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? photoFiles(p) : /\.(jpe?g|png)$/i.test(n) ? [p] : [];
    });
}

/** Reference faces matched (IoU >= 0.5, each detection used once). */
function matched(reference: readonly Box[], found: readonly DetectedFace[]): number {
  const used = new Set<number>();
  let n = 0;
  for (const r of reference) {
    let best = -1,
      bestIou = 0.5;
    found.forEach((f, i) => {
      const iou = boxIou(r, f.box);
      if (!used.has(i) && iou >= bestIou) [best, bestIou] = [i, iou];
    });
    if (best >= 0) {
      used.add(best);
      n++;
    }
  }
  return n;
}

/** A detector that answers each picture once (the choosing detector reuses the accurate answers computed as reference). */
function remembering(d: Detector): Detector {
  const seen = new WeakMap<RgbImage, Promise<DetectedFace[]>>();
  return {
    detect(img) {
      if (!seen.has(img)) seen.set(img, d.detect(img));
      return seen.get(img)!;
    },
    dispose: () => d.dispose(),
  };
}

test(
  'the default detector (auto) finds every face that the fast or the accurate detector finds on the shared photos (IoU >= 0.5)',
  { skip: needs(PHOTOS, 'photos with faces: face-recognition-examples, faceapi-examples') },
  async (t) => {
    const accurate = remembering(await loadAccurateDetector({ landmarks: false }));
    const fast = remembering(await loadFastDetector());
    const auto = new ChoosingDetector({ fast, accurate }, 'auto');
    const totals = { either: 0, auto: 0, accurate: 0, fast: 0, fastAnswers: 0, pictures: 0, missedByAccurate: 0 };
    for (const file of photoFiles(PHOTOS)) {
      const img = await loadRgb(file);
      const accurateFaces = await accurate.detect(img);
      const fastFaces = await fast.detect(img);
      // every face either found: the accurate detector's, and the fast one's that none of them matches
      const either = [...accurateFaces.map((f) => f.box), ...fastFaces.filter((f) => matched([f.box], accurateFaces) === 0).map((f) => f.box)];
      const autoFaces = await auto.detect(img);
      totals.pictures++;
      totals.either += either.length;
      totals.auto += matched(either, autoFaces);
      totals.accurate += accurateFaces.length;
      totals.fast += matched(either, fastFaces);
      if (accurateFaces.length === 0 && fastFaces.length > 0) totals.missedByAccurate++;
      if (autoFaces === fastFaces) totals.fastAnswers++;
    }
    auto.dispose();
    t.diagnostic(
      `${totals.pictures} photos, ${totals.either} faces found by either detector (accurate ${totals.accurate}, fast ${totals.fast}); auto finds ${totals.auto} ` +
        `(the fast detector's answer kept for ${totals.fastAnswers} photos); ${totals.missedByAccurate} photos have faces only the fast detector finds`,
    );
    assert.ok(totals.either >= 30, `expected the group photos' faces, found ${totals.either}`);
    assert.equal(totals.auto, totals.either);
  },
);

test('BlazeFace finds the six faces of a group photo, with eyes level enough to align', { skip: needs(BBT4, 'a group photo') }, async () => {
  const fast = await loadDetector({ kind: 'fast' });
  const faces = await fast.detect(await loadRgb(BBT4));
  fast.dispose();
  assert.equal(faces.length, 6);
  for (const f of faces) {
    assert.ok(f.eyes && f.keypoints?.length === 6);
    assert.ok(f.eyes.left.x < f.eyes.right.x);
    // both eyes inside the upper part of the face's box
    for (const e of [f.eyes.left, f.eyes.right]) {
      assert.ok(e.x > f.box.x && e.x < f.box.x + f.box.width && e.y > f.box.y && e.y < f.box.y + f.box.height * 0.7);
    }
  }
});

test(
  'the 68 landmarks of all faces, computed in one batch, are those face-api.js computes one face at a time',
  { skip: needs(BBT4, 'a group photo') },
  async () => {
    const detector = await loadAccurateDetector();
    const img = await loadRgb(BBT4);
    const faces = await detector.detect(img);
    detector.dispose();
    assert.ok(faces.length >= 2);
    const source = nodeFaceApi();
    const net = new source.api.FaceLandmark68Net();
    net.loadFromWeightMap(await source.weights('face_landmark_68_model'));
    const input = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    let worst = 0;
    for (const face of faces) {
      const bx = Math.floor(face.box.x),
        by = Math.floor(face.box.y);
      const bw = Math.max(2, Math.min(img.width - bx, Math.ceil(face.box.width))),
        bh = Math.max(2, Math.min(img.height - by, Math.ceil(face.box.height)));
      const crop = tf.slice(input, [by, bx, 0], [bh, bw, 3]);
      const one = await net.detectLandmarks(crop);
      crop.dispose();
      const positions = (Array.isArray(one) ? one[0] : one).positions;
      positions.forEach((p, k) => {
        worst = Math.max(worst, Math.abs(p.x + bx - face.landmarks![k].x), Math.abs(p.y + by - face.landmarks![k].y));
      });
    }
    input.dispose();
    net.dispose();
    assert.ok(worst < 0.05, `largest difference ${worst} px`);
  },
);

test('loadDetector runs without TensorFlow.js: nothing imports it', () => {
  const script = `import { loadDetector } from ${JSON.stringify(new URL('./index.js', import.meta.url).href)};
const d = await loadDetector({ kind: 'fast' });
const faces = await d.detect({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 });
d.dispose();
console.log(JSON.stringify(faces) + ' ' + typeof globalThis._tfengine);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').pop(), '[] undefined');
});
