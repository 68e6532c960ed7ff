/**
 * The face detectors' recall, to choose the photo default from: on the
 * shared photos (every face that either detector finds, matched by IoU) and
 * on FER2013 PublicTest faces pasted into 640x480 pictures at several sizes
 * (a face of known place: found when a box overlaps it by IoU >= 0.3), with
 * the median time per picture. Prints a Markdown table. Not a test.
 *
 *   npm run bench:detectors [-- --faces 200 --runs 5]
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { FER_IMAGES, SHARED_DATA } from '../test/fixtures.js';
import { cpuDescription, median } from './timing.js';
import { loadDetector, loadRgb } from '../src/entries/models.js';
import { iou } from '../src/entries/video.js';
import type { DetectedFace, DetectorChoice, RgbImage, Box } from '../src/index.js';
import { createRng, shuffleInPlace } from '../src/entries/data.js';

const { values } = parseArgs({ options: { faces: { type: 'string' }, seed: { type: 'string' } } });
const faceCount = Number(values.faces ?? 200);
const DETECTORS: DetectorChoice[] = ['fast', 'accurate', 'auto'];
const SIZES = [48, 96, 160, 240, 360];

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p, pattern) : pattern.test(n) ? [p] : [];
    });
}

const found = (target: Box, faces: readonly DetectedFace[], minIou = 0.3) => faces.some((f) => iou(f.box, target) >= minIou);

const detector = await loadDetector({ kind: 'auto' });
const time: Record<string, number[]> = Object.fromEntries(DETECTORS.map((d) => [d, []]));
async function detect(img: RgbImage, kind: DetectorChoice): Promise<DetectedFace[]> {
  const start = performance.now();
  const faces = await detector.detect(img, { detector: kind });
  time[kind].push(performance.now() - start);
  return faces;
}

const rows: string[][] = [];
// the shared photos: every face either detector finds is the reference
const photos = files(join(SHARED_DATA, 'photos'), /\.(jpe?g|png)$/i);
const photoFound: Record<string, number> = { fast: 0, accurate: 0, auto: 0 };
let reference = 0,
  closeUps = 0;
for (const file of photos) {
  const img = await loadRgb(file);
  const answers = Object.fromEntries(await Promise.all(DETECTORS.map(async (k) => [k, await detect(img, k)] as const))) as Record<
    DetectorChoice,
    DetectedFace[]
  >;
  const either = [...answers.accurate.map((f) => f.box), ...answers.fast.filter((f) => !found(f.box, answers.accurate)).map((f) => f.box)];
  reference += either.length;
  if (img.width <= 200) closeUps++;
  for (const k of DETECTORS) photoFound[k] += either.filter((b) => found(b, answers[k])).length;
}
const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '—');
rows.push([
  `shared photos (${photos.length}, ${closeUps} of them tight crops; ${reference} faces found by either)`,
  ...DETECTORS.map((k) => `${photoFound[k]} (${pct(photoFound[k], reference)})`),
]);

// FER2013 faces pasted at several sizes into 640x480 pictures of a mid-grey background
const fer = files(join(FER_IMAGES, 'test'), /\.(jpe?g|png)$/i);
shuffleInPlace(fer, createRng(Number(values.seed ?? 1)));
const chosen = fer.slice(0, faceCount);
for (const size of SIZES) {
  const hits: Record<string, number> = { fast: 0, accurate: 0, auto: 0 };
  for (const [i, file] of chosen.entries()) {
    const x = Math.round(((i * 97) % (640 - size)) + 0),
      y = Math.round(((i * 61) % (480 - size)) + 0);
    const face = await sharp(file).resize(size, size).removeAlpha().toColourspace('srgb').toBuffer();
    const { data, info } = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .composite([{ input: face, left: x, top: y }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const img = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    const target = { x, y, width: size, height: size };
    for (const k of DETECTORS) if (found(target, await detect(img, k))) hits[k]++;
  }
  rows.push([`FER2013 faces ${size}x${size} in 640x480 (${chosen.length})`, ...DETECTORS.map((k) => pct(hits[k], chosen.length))]);
}
rows.push(['median time per picture', ...DETECTORS.map((k) => `${median(time[k]).toFixed(1)} ms`)]);
detector.dispose();

console.log(`Face detectors' recall, ${cpuDescription()}; \`npm run bench:detectors -- --faces ${faceCount}\`\n`);
console.log(`| pictures | ${DETECTORS.join(' | ')} |`);
console.log(`|---|${DETECTORS.map(() => '---:').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
