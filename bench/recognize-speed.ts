/**
 * Speed of the picture pipeline: face detection + eyes + crop + emotion
 * model, on 640x480 photos, per picture, for each face detector; the
 * accurate detector alone with tfjs-node's relu6 and with TensorFlow's own;
 * and the emotion model alone per face. The configurations take turns
 * (one call each per round, each round starting with the next) so that a
 * busy machine slows them alike;
 * figures are medians. Not a test: it prints figures.
 *
 *   npm run bench:recognize [-- --photo PATH] [--model DIR] [--runs 21] [--backend NAME] [--detector fast,accurate,auto] [--runtime auto|onnx|tfjs]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT, SHARED_DATA, needs } from '../test/fixtures.js';
import { cpuDescription, interleaved, median, medianMs } from './timing.js';
import { createRecognizer, type Recognizer, type DetectorChoice } from '../src/index.js';
import { loadRgb, loadFaceDetector, detectorChoice, type EngineChoice, type RuntimeChoice } from '../src/entries/models.js';
import { useNativeRelu6 } from '../src/entries/models.js';

const { values } = parseArgs({
  options: {
    photo: { type: 'string' },
    model: { type: 'string' },
    runs: { type: 'string' },
    backend: { type: 'string' },
    detector: { type: 'string' },
    runtime: { type: 'string' },
  },
});
const runs = Number(values.runs ?? 21);
const kinds: DetectorChoice[] = (values.detector ?? 'accurate,fast,auto').split(',').map(detectorChoice);
const base = {
  backend: (values.backend ?? 'auto') as EngineChoice,
  runtime: (values.runtime ?? 'auto') as RuntimeChoice,
  ...(values.model ? { model: values.model } : {}),
};
const recognizers = new Map<DetectorChoice, Recognizer>();
for (const kind of kinds) recognizers.set(kind, await createRecognizer({ ...base, detector: kind }));
const first = recognizers.values().next().value!;
const native = first.engine.backend === 'tensorflow';
console.log(
  `ferkit picture pipeline on ${first.engine.backend} (${first.meta.architecture} emotion model on ${first.runtime}); CPU: ${cpuDescription()}; medians of ${runs} runs, taking turns`,
);

/** Median ms of each task, the tasks taking turns. */
async function interleavedMedians(tasks: Record<string, () => Promise<unknown>>, n: number): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await interleaved(tasks, n)).map(([name, t]) => [name, median(t)]));
}

const photos = values.photo
  ? [values.photo]
  : [join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'), join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt4.jpg')];
const ssd = native ? await loadFaceDetector({ landmarks: false }) : undefined;
for (const photo of photos) {
  const missing = needs(photo, 'a photo with faces; pass --photo PATH');
  if (missing) {
    console.log(`  skipped: ${missing}`);
    continue;
  }
  const png = await sharp(photo).resize(640, 480, { fit: 'cover' }).png().toBuffer();
  const img = await loadRgb(png);
  const counts = await Promise.all([...recognizers].map(async ([kind, r]) => `${kind} ${(await r.recognizeRgb([img]))[0].length}`));
  const tasks: Record<string, () => Promise<unknown>> = {};
  for (const [kind, r] of recognizers) tasks[kind] = () => r.recognizeRgb([img]);
  if (ssd) {
    // the accurate detector's network alone, with tfjs-node's relu6 (two passes) and with TensorFlow's Relu6
    tasks['SSD alone, tfjs relu6'] = async () => {
      useNativeRelu6(false);
      await ssd.detect(img).finally(() => useNativeRelu6(true));
    };
    tasks['SSD alone, native Relu6'] = () => ssd.detect(img);
  }
  const ms = await interleavedMedians(tasks, runs);
  console.log(`  ${photo} resized to 640x480; faces found: ${counts.join(', ')}`);
  for (const [name, t] of Object.entries(ms))
    console.log(`    ${name.padEnd(24)} ${t.toFixed(1).padStart(7)} ms per picture (${(1000 / t).toFixed(1)} pictures/s)`);
}
ssd?.dispose();
const crops = new Uint8Array(64 * 48 * 48).map((_, i) => (i * 7) % 256);
const classify64 = await medianMs(() => first.classify(crops), runs);
const classify1 = await medianMs(() => first.classify(crops.subarray(0, 2304)), runs * 5);
console.log(
  `  emotion model alone: ${(classify64 / 64).toFixed(3)} ms per face at batch 64 (${Math.round(64000 / classify64)} faces/s), ${classify1.toFixed(2)} ms at batch 1`,
);
for (const r of recognizers.values()) r.dispose();
