/**
 * The face detectors on ONNX Runtime against the TensorFlow.js originals
 * they were converted from: on every shared photo, scaled to 640x480, the
 * same number of faces, boxes and eyes within 1 pixel; at the photo's own
 * size (the largest, 2204 pixels, tiled), within 1 pixel per 1000 of its
 * longer side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from './engine.js';
import { loadRgb } from '../fs/picture.js';
import { loadBlazeFace } from './blazeface.js';
import { loadFaceDetector } from './face-api.js';
import { loadAccurateDetector, loadFastDetector } from './index.js';
import { resizeToNchw } from '../core/image/resize.js';
import type { DetectedFace, Detector } from '../core/face/detector.js';
import type { RgbImage } from '../core/image/pixels.js';
import { PROJECT_ROOT, SHARED_DATA, needs } from '../../test/fixtures.js';

await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');
const PHOTOS = join(SHARED_DATA, 'photos');

function photoFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? photoFiles(p) : /\.(jpe?g|png)$/i.test(n) ? [p] : [];
    });
}

async function at640(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().resize(640, 480, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** The largest difference, in pixels, between two detectors' boxes and eyes (faces in the same order), or Infinity when the counts differ. */
function largestDifference(a: readonly DetectedFace[], b: readonly DetectedFace[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((f, i) => {
    const g = b[i];
    worst = Math.max(
      worst,
      Math.abs(f.box.x - g.box.x),
      Math.abs(f.box.y - g.box.y),
      Math.abs(f.box.width - g.box.width),
      Math.abs(f.box.height - g.box.height),
    );
    if (f.eyes && g.eyes)
      for (const k of ['left', 'right'] as const) worst = Math.max(worst, Math.abs(f.eyes[k].x - g.eyes[k].x), Math.abs(f.eyes[k].y - g.eyes[k].y));
    else if (f.eyes || g.eyes) worst = Infinity;
  });
  return worst;
}

test('resizeToNchw computes what TensorFlow.js resizeBilinear computes, padding included', () => {
  const width = 37,
    height = 23;
  const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 256);
  const img = { data, width, height };
  // padded to a 37x37 square with black at the bottom, resized to 16x16, scaled to -1..1
  const ours = resizeToNchw(img, {
    region: { x: 0, y: 0, width: 37, height: 37 },
    valid: { x: 0, y: 0, width, height },
    width: 16,
    height: 16,
    add: [-127.5, -127.5, -127.5],
    mul: 1 / 127.5,
  });
  const theirs = tf.tidy(() => {
    const t = tf.tensor3d(data, [height, width, 3], 'int32').toFloat();
    const padded = tf.pad(t, [
      [0, 37 - height],
      [0, 0],
      [0, 0],
    ]);
    return tf.image
      .resizeBilinear(padded as tf.Tensor3D, [16, 16])
      .div(127.5)
      .sub(1)
      .transpose([2, 0, 1])
      .dataSync();
  });
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

test(
  'ONNX detectors find the faces the TensorFlow.js ones find on the shared photos (boxes and eyes within 1 px at 640x480)',
  { skip: needs(PHOTOS) },
  async () => {
    const pairs: [string, Detector, Detector][] = [
      ['fast (BlazeFace)', await loadFastDetector(), await loadBlazeFace()],
      ['accurate (SSD-MobileNet, landmarks)', await loadAccurateDetector(), await loadFaceDetector()],
    ];
    const files = photoFiles(PHOTOS);
    assert.ok(files.length > 0);
    let faces = 0;
    try {
      for (const file of files) {
        const sizes = file.endsWith('biden.jpg') ? [await at640(file), await loadRgb(file)] : [await at640(file)];
        for (const img of sizes) {
          for (const [name, onnx, tfjs] of pairs) {
            const a = await onnx.detect(img);
            const b = await tfjs.detect(img);
            faces += b.length;
            const worst = largestDifference(a, b);
            const tolerance = Math.max(1, Math.max(img.width, img.height) / 1000);
            assert.ok(
              worst <= tolerance,
              `${file} at ${img.width}x${img.height}, ${name}: ONNX ${a.length} faces, TensorFlow.js ${b.length}; largest difference ${worst} px`,
            );
          }
        }
      }
    } finally {
      for (const [, a, b] of pairs) {
        a.dispose();
        b.dispose();
      }
    }
    assert.ok(faces > 0, 'the photos have faces');
  },
);

test('overlapping calls on one detector answer each picture as a call alone does', async () => {
  const pictures = [await loadRgb(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg')), await at640(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'))];
  pictures.push({ ...pictures[0], data: pictures[0].data.map((v) => 255 - v) });
  for (const detector of [await loadFastDetector(), await loadAccurateDetector()]) {
    try {
      const alone = [];
      for (const p of pictures) alone.push(await detector.detect(p));
      const together = await Promise.all(pictures.map((p) => detector.detect(p)));
      assert.deepEqual(together, alone);
    } finally {
      detector.dispose();
    }
  }
});

test('a detector disposed twice fails nothing: the second release of its session is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const note = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', note);
  try {
    for (const detector of [await loadFastDetector(), await loadAccurateDetector()]) {
      detector.dispose();
      detector.dispose();
    }
    // a rejection nobody handles is reported once the microtasks of this turn have run
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', note);
  }
});
