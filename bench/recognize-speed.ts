/**
 * Speed of the picture pipeline: face detection + landmarks + crop +
 * emotion model, for a 640x480 photo, per picture and per face; and the
 * emotion model alone per face. Not a test: it prints figures.
 *
 *   npm run bench:recognize [-- --photo PATH] [--model DIR] [--runs 20] [--backend NAME]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRecognizer } from '../src/recognizer.js';
import { loadRgb } from '../src/image/load.js';
import { SHARED_DATA, needs } from '../src/testing/fixtures.js';
import type { EngineChoice } from '../src/engine/index.js';
import { meanMs } from './timing.js';

const { values } = parseArgs({ options: { photo: { type: 'string' }, model: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' } } });
const photo = values.photo ?? join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt4.jpg');
const missing = needs(photo, 'a photo with faces; pass --photo PATH');
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}
const runs = Number(values.runs ?? 20);
const r = await createRecognizer({ backend: (values.backend ?? 'auto') as EngineChoice, ...(values.model ? { model: values.model } : {}) });
const png = await sharp(photo).resize(640, 480, { fit: 'cover' }).png().toBuffer();
const img = await loadRgb(png);
const [faces] = await r.recognizeRgb([img]);
const pipeline = await meanMs(() => r.recognizeRgb([img]), runs);
const withDecode = await meanMs(() => r.recognize(png), runs);
const crops = new Uint8Array(64 * 48 * 48).map((_, i) => (i * 7) % 256);
const classify64 = await meanMs(() => r.classify(crops), runs);
const classify1 = await meanMs(() => r.classify(crops.subarray(0, 2304)), runs * 5);
console.log(`ferkit picture pipeline on ${r.engine.backend} (${r.meta.architecture} emotion model), ${photo} resized to 640x480, ${faces.length} faces, mean of ${runs} runs:`);
console.log(`  detection + landmarks + crops + emotions: ${pipeline.toFixed(1)} ms per picture, ${(pipeline / Math.max(1, faces.length)).toFixed(1)} ms per face`);
console.log(`  the same from PNG bytes (decode included):  ${withDecode.toFixed(1)} ms per picture`);
console.log(`  emotion model alone: ${(classify64 / 64).toFixed(3)} ms per face at batch 64 (${Math.round(64000 / classify64)} faces/s), ${classify1.toFixed(2)} ms at batch 1`);
r.dispose();
