/**
 * The webcam loop's speed in headless Chromium, fed moving faces: processed
 * frames per second (median of one-second samples), the time from opening
 * the page to the first result, the bytes the page downloaded, each stage's
 * median time in the loop (capture and transfer to the worker, pixels,
 * detection, crops, the emotion network, the answer's trip back, drawing),
 * faces found per frame, and a six-face photo's time. One run per variant:
 * everything on TensorFlow.js's WebAssembly backend, everything on ONNX
 * Runtime Web (the face detectors and the emotion network), the page's
 * default mix, and the 256x256 BlazeFace instead of the 128x128 one. A
 * benchmark, not a test: it prints figures.
 *
 *   npm run bench:webcam [-- --json FILE]
 *   FERKIT_BENCH_SECONDS=20 (samples), FERKIT_BENCH_VARIANTS=tfjs,onnx,default,back
 *
 * Chromium's fake camera plays a 640x480, 30 frames/s video of photos of the
 * shared data, each zoomed and panned for 1.5 s (movingFacesVideo).
 */
import { cpuDescription } from './timing.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SHARED_DATA, tempDir } from '../test/fixtures.js';
import { browserSkip, launchChromium, movingFacesVideo, startServe } from '../test/web-harness.js';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const SECONDS = Number(process.env.FERKIT_BENCH_SECONDS ?? 20);
const VARIANTS: Record<string, { query: string; about: string }> = {
  tfjs: { query: '?webcam=tfjs&photo=tfjs&runtime=tfjs', about: 'everything on TensorFlow.js WebAssembly (BlazeFace 128x128; face-api for photos)' },
  onnx: { query: '?webcam=onnx&photo=onnx&runtime=onnx', about: 'everything on ONNX Runtime Web (BlazeFace 128x128; ONNX detectors for photos)' },
  default: { query: '', about: "the page's default runtimes (DEFAULT_RUNTIMES in web/src/worker-protocol.ts)" },
  back: { query: '?detector=back', about: 'the default runtimes, BlazeFace 256x256 for the webcam' },
};
const CHOSEN = (process.env.FERKIT_BENCH_VARIANTS ?? 'tfjs,onnx,default,back').split(',');
/** Six faces: the photo the page's speed goal is set on. */
const GROUP_PHOTO = join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt1.jpg');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function run(name: string, camera: string, url: string) {
  const browser = await launchChromium({ camera });
  try {
    const page = await browser.newPage();
    let bytes = 0;
    page.on('response', (r) => void r.headerValue('content-length').then((v) => (bytes += Number(v ?? 0))));
    await page.goto(url + VARIANTS[name].query);
    await page.click('#camera-button');
    await page.waitForSelector('.face-card', { timeout: 300_000 });
    // the page's own mark, from the start of navigation
    const firstResult = await page.evaluate(() => performance.getEntriesByName('ferkit:first-result')[0]?.startTime ?? NaN);
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const engine = await page.textContent('#status');
    const frames = async () => Number(await page.getAttribute('#fps', 'data-frames'));
    // warm-up: 3 s, then one sample a second
    await page.waitForTimeout(3000);
    const samples: number[] = [];
    let last = { t: Date.now(), n: await frames() };
    for (let i = 0; i < SECONDS; i++) {
      await page.waitForTimeout(1000);
      const now = { t: Date.now(), n: await frames() };
      samples.push(((now.n - last.n) * 1000) / (now.t - last.t));
      last = now;
    }
    const stages = JSON.parse((await page.getAttribute('#fps', 'data-stages')) ?? '{}') as Record<string, number>;
    const videoFps = Number(await page.getAttribute('#fps', 'data-video-fps'));
    const downloaded = bytes;
    // the six-face photo: once to load the photo's detectors, then timed
    const photoMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.evaluate(() => document.getElementById('status')?.removeAttribute('data-photo-ms'));
      await page.setInputFiles('#photo-input', GROUP_PHOTO);
      await page.waitForSelector('#status[data-photo-ms]', { timeout: 300_000 });
      photoMs.push(Number(await page.getAttribute('#status', 'data-photo-ms')));
    }
    const photoFaces = await page.locator('.face-card').count();
    // what the photo's detectors and their runtime added to the download
    const photoDownloaded = bytes - downloaded;
    return {
      name,
      firstResult,
      fps: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
      videoFps,
      stages,
      downloaded,
      isolated,
      engine,
      photoMs,
      photoFaces,
      photoDownloaded,
    };
  } finally {
    await browser.close();
  }
}

async function main() {
  const skip = browserSkip();
  if (skip) {
    console.log(`bench:webcam skipped: ${skip}`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ skipped: skip }, null, 2) + '\n');
    return;
  }
  const tmp = tempDir('ferkit-bench-webcam-');
  const served = await startServe();
  try {
    const camera = movingFacesVideo(join(tmp.dir, 'moving-faces.y4m'));
    console.log(`CPU: ${cpuDescription()}; ${SECONDS} one-second samples after a 3 s warm-up; fake camera 640x480 at 30 frames/s, moving faces`);
    const results = [];
    // one browser at a time
    for (const name of CHOSEN) {
      const r = await run(name, camera, served.url);
      results.push(r);
      const ms = (k: string) => (r.stages[k] ?? NaN).toFixed(1);
      console.log(
        `${name.padEnd(7)} ${VARIANTS[name].about}\n` +
          `  ${r.fps.toFixed(1)} frames/s median (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)}), video shown at ${r.videoFps.toFixed(1)} frames/s; ` +
          `first result ${(r.firstResult / 1000).toFixed(2)} s after opening the page; ${(r.downloaded / 1e6).toFixed(1)} MB downloaded; ` +
          `cross-origin isolated: ${r.isolated}\n` +
          `  stages (median ms): capture+transfer ${ms('capture')}, pixels ${ms('pixels')}, detection ${ms('detection')} ` +
          `(detector ${ms('detector')} on ${((r.stages.detectedShare ?? NaN) * 100).toFixed(0)}% of frames), crops ${ms('crops')}, ` +
          `emotion ${ms('emotion')}, read-back ${ms('readBack')}, drawing ${ms('drawing')}; ${(r.stages.facesPerFrame ?? NaN).toFixed(2)} faces per frame\n` +
          `  six-face photo: ${r.photoMs.map((m) => m.toFixed(0)).join(', ')} ms (first loads the photo detectors: ${(r.photoDownloaded / 1e6).toFixed(1)} MB more), ${r.photoFaces} faces\n  ${r.engine}`,
      );
    }
    if (values.json) writeFileSync(values.json, JSON.stringify({ cpu: cpuDescription(), seconds: SECONDS, results }, null, 2) + '\n');
  } finally {
    await served.stop();
    tmp.cleanup();
  }
}

await main();
