/**
 * How the detector path frames faces against the datasets' own crops.
 *
 *   npm run bench:framing -- [--data CSV] [--ckplus DIR] [--count N] [--detector accurate|fast] [--model NAME|DIR]
 *
 * Each 48x48 face (a sample of the default model's held-out Training rows,
 * of PublicTest, and the ckplus48-dev faces) is placed, 4x larger, in a
 * picture with room around it; the detector finds it and the recognizer
 * cuts its crop. The script prints where the box, the eyes and the crop lie
 * in units of the dataset's crop (a crop framed as the dataset frames it:
 * centre 0.5, 0.5, side 1), the framing that matches the held-out faces
 * (`CropFraming`), and the emotion accuracy of the dataset's crops against
 * the detector path's on the same faces: with the box grown by 10% on each
 * side (ferkit's framing before this measurement), with the default
 * framing, with the one fitted here, and framed by the eyes. Figures, not a
 * test.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { cpuDescription } from './timing.js';
import { loadDataset, readImageFolder, stratifiedSplit, subset, type Dataset } from '../src/entries/data.js';
import { createRecognizer, type DetectedFace, type DetectorChoice } from '../src/index.js';
import { loadDetector, type CropFraming, DEFAULT_FRAMING, faceInputs, PIXELS_PER_IMAGE, IMAGE_SIZE } from '../src/entries/models.js';
import { faceFraming, fitFraming, framedFace, summarizeFraming, type FaceFraming, type FramingSummary } from '../src/entries/eval.js';
import { createRng, shuffleInPlace } from '../src/entries/data.js';
import { fitEyeFraming, type Spread } from '../src/entries/eval.js';
import { cropGeometry, argmaxRows } from '../src/entries/models.js';

const { values: v } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/fer2013/fer2013.csv.gz' },
    ckplus: { type: 'string', default: '../shared/data/ckplus48-dev' },
    count: { type: 'string', default: '800' },
    detector: { type: 'string', default: 'accurate' },
    model: { type: 'string', default: 'default' },
  },
});

if (!existsSync(v.data)) {
  console.log(`${v.data} is not here: this measurement needs FER2013 (see ../shared/data/README.md)`);
  process.exit(0);
}

const count = Number(v.count);
/** `count` of the listed faces, in a seeded random order. */
const pick = (ds: Dataset, from: ArrayLike<number>, seed: number): Dataset => subset(ds, shuffleInPlace(Array.from(from), createRng(seed)).slice(0, count));

const training = (await loadDataset(v.data, { usage: ['Training'] })).dataset;
const heldOut = pick(training, stratifiedSplit(training.labels, 0.1, 42).test, 1);
const publicTest = (await loadDataset(v.data, { usage: ['PublicTest'] })).dataset;
const sets: [string, Dataset][] = [
  ['held-out Training', heldOut],
  [
    'PublicTest',
    pick(
      publicTest,
      Int32Array.from({ length: publicTest.count }, (_, i) => i),
      2,
    ),
  ],
];
if (existsSync(v.ckplus)) sets.push(['ckplus48-dev', (await readImageFolder(v.ckplus, { skipBad: true })).dataset]);

const recognizer = await createRecognizer({ detector: false, model: v.model });
const detector = await loadDetector({ kind: v.detector as DetectorChoice });

console.log(`CPU: ${cpuDescription()}; detector ${v.detector}; model ${v.model} (${recognizer.meta.architecture})`);

interface Found {
  index: number;
  framed: ReturnType<typeof framedFace>;
  face: DetectedFace;
}

async function detectAll(ds: Dataset): Promise<Found[]> {
  const found: Found[] = [];
  for (let i = 0; i < ds.count; i++) {
    const framed = framedFace(ds.pixels.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE), IMAGE_SIZE);
    const faces = await detector.detect(framed.image, { detector: v.detector as DetectorChoice });
    if (faces.length) found.push({ index: i, framed, face: faces[0] });
  }
  return found;
}

const accuracy = async (inputs: Uint8Array, labels: number[]) => {
  const pred = argmaxRows(await recognizer.classify(inputs), recognizer.meta.labels.length);
  let right = 0;
  labels.forEach((l, i) => (right += pred[i] === l ? 1 : 0));
  return right / labels.length;
};

const s = (x: Spread | undefined) => (x ? `${x.median.toFixed(3)} (${x.q1.toFixed(3)}-${x.q3.toFixed(3)})` : '-');
function printSummary(name: string, f: FramingSummary): void {
  console.log(`  ${name}: ${f.faces} faces; median (quartiles), in units of the dataset's crop`);
  console.log(`    box centre x ${s(f.boxCenterX)}, y ${s(f.boxCenterY)}; width ${s(f.boxWidth)}, height ${s(f.boxHeight)}`);
  console.log(`    eyes: midpoint x ${s(f.eyeMidX)}, y ${s(f.eyeMidY)}; distance ${s(f.eyeDistance)}`);
  console.log(`    crop centre x ${s(f.cropCenterX)}, y ${s(f.cropCenterY)}; side ${s(f.cropSide)}`);
}

/** ferkit's framing before it was measured: the box grown by 10% on each side. */
const LOOSE: CropFraming = { margin: 0.1, shiftY: 0 };
let matched: CropFraming | undefined;
let byEyes: CropFraming | undefined;
for (const [name, ds] of sets) {
  const t0 = performance.now();
  const found = await detectAll(ds);
  const labels = found.map((f) => ds.labels[f.index]);
  const framings = (framing: CropFraming): FaceFraming[] => found.map((f) => faceFraming(f.face, cropGeometry(f.face.box, f.face.eyes, framing), f.framed));
  console.log(
    `\n${name}: ${ds.count} faces; the detector found ${found.length} (${((100 * found.length) / ds.count).toFixed(1)}%) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  printSummary('box + 10% per side', summarizeFraming(framings(LOOSE)));
  printSummary('the default framing', summarizeFraming(framings(DEFAULT_FRAMING)));
  if (!matched) {
    const bare = summarizeFraming(framings({ margin: 0, shiftY: 0 }));
    matched = fitFraming(bare);
    byEyes = fitEyeFraming(bare);
    console.log(`  matched framing (fitted here): margin ${matched.margin.toFixed(3)}, shiftY ${matched.shiftY.toFixed(3)}`);
    if (byEyes.eyes) console.log(`  matched by the eyes: eye distance ${byEyes.eyes.distance.toFixed(3)}, eye height ${byEyes.eyes.y.toFixed(3)}`);
  }
  printSummary('matched here', summarizeFraming(framings(matched)));
  if (byEyes!.eyes) printSummary('matched by the eyes', summarizeFraming(framings(byEyes!)));
  const own = new Uint8Array(found.length * PIXELS_PER_IMAGE);
  found.forEach((f, k) => own.set(ds.pixels.subarray(f.index * PIXELS_PER_IMAGE, (f.index + 1) * PIXELS_PER_IMAGE), k * PIXELS_PER_IMAGE));
  const cut = (framing: CropFraming) => {
    const out = new Uint8Array(found.length * PIXELS_PER_IMAGE);
    found.forEach((f, k) => out.set(faceInputs(f.framed.image, [cropGeometry(f.face.box, f.face.eyes, framing)]), k * PIXELS_PER_IMAGE));
    return out;
  };
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows: [string, Uint8Array][] = [
    ["the dataset's crops", own],
    ['detector path, box + 10% per side', cut(LOOSE)],
    ['the default framing', cut(DEFAULT_FRAMING)],
    ['matched here', cut(matched)],
  ];
  if (byEyes!.eyes) rows.push(['matched by the eyes', cut(byEyes!)]);
  const parts: string[] = [];
  for (const [what, inputs] of rows) parts.push(`${what} ${pct(await accuracy(inputs, labels))}`);
  console.log(`  accuracy on these ${found.length} faces: ${parts.join('; ')}`);
}
detector.dispose();
recognizer.dispose();
