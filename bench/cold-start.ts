/**
 * The phases of a first result in a fresh process, for `npm run bench`'s
 * cold start (bench/all.ts): Node's own start-up, the recognizer's import
 * (src/node/index.js, what recognition needs, not the whole package),
 * loading its models, and the first picture's faces, each timed from the
 * process's start. Prints one JSON line.
 *
 *   node dist/bench/cold-start.js [PICTURE]
 *
 * Nothing but Node's own modules is imported before the clock starts, so
 * that the import phase holds every module recognition loads.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const t0 = performance.now(); // Node's start-up, up to this module
const picture = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images', 'astronaut.jpg');
const { createRecognizer } = await import('../src/index.js');
const t1 = performance.now();
const recognizer = await createRecognizer();
const t2 = performance.now();
const faces = await recognizer.recognize(picture);
const t3 = performance.now();
recognizer.dispose();
console.log(
  JSON.stringify({
    picture,
    faces: faces.length,
    nodeStartMs: t0,
    importMs: t1 - t0,
    modelsMs: t2 - t1,
    firstResultMs: t3 - t2,
    totalMs: t3,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
