/**
 * Speed of the picture pipeline: face detection + landmarks + crop +
 * emotion model, for a 640x480 photo, per picture and per face; and the
 * emotion model alone per face. Not a test: it prints figures.
 *
 *   npm run bench:recognize [-- --photo PATH] [--model DIR] [--runs 21] [--backend NAME] [--runtime auto|onnx|tfjs]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRecognizer } from '../src/node/recognizer.js';
import { loadRgb } from '../src/node/decode.js';
import { PROJECT_ROOT, SHARED_DATA, needs } from '../test/fixtures.js';
import type { EngineChoice } from '../src/engine.js';
import type { RuntimeChoice } from '../src/models/classifier.js';
import { cpuDescription, medianMs } from './timing.js';

const { values } = parseArgs({
  options: { photo: { type: 'string' }, model: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' }, runtime: { type: 'string' } },
});
const runs = Number(values.runs ?? 21);
const r = await createRecognizer({
  backend: (values.backend ?? 'auto') as EngineChoice,
  runtime: (values.runtime ?? 'auto') as RuntimeChoice,
  ...(values.model ? { model: values.model } : {}),
});
console.log(
  `ferkit picture pipeline on ${r.engine.backend} (${r.meta.architecture} emotion model on ${r.runtime}); CPU: ${cpuDescription()}; medians of ${runs} runs`,
);
const photos = values.photo
  ? [values.photo]
  : [join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'), join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt4.jpg')];
for (const photo of photos) {
  const missing = needs(photo, 'a photo with faces; pass --photo PATH');
  if (missing) {
    console.log(`  skipped: ${missing}`);
    continue;
  }
  const png = await sharp(photo).resize(640, 480, { fit: 'cover' }).png().toBuffer();
  const img = await loadRgb(png);
  const [faces] = await r.recognizeRgb([img]);
  const pipeline = await medianMs(() => r.recognizeRgb([img]), runs);
  const withDecode = await medianMs(() => r.recognize(png), runs);
  console.log(
    `  ${photo} resized to 640x480, ${faces.length} face(s): ${pipeline.toFixed(1)} ms per picture (${(1000 / pipeline).toFixed(1)} pictures/s), ${withDecode.toFixed(1)} ms from PNG bytes (decode included)`,
  );
}
const crops = new Uint8Array(64 * 48 * 48).map((_, i) => (i * 7) % 256);
const classify64 = await medianMs(() => r.classify(crops), runs);
const classify1 = await medianMs(() => r.classify(crops.subarray(0, 2304)), runs * 5);
console.log(
  `  emotion model alone: ${(classify64 / 64).toFixed(3)} ms per face at batch 64 (${Math.round(64000 / classify64)} faces/s), ${classify1.toFixed(2)} ms at batch 1`,
);
r.dispose();
