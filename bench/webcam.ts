/**
 * The webcam loop's speed in headless Chromium: processed frames per second
 * (median of one-second samples) on WebAssembly and on WebGL, and the time
 * from opening the page to the first result. A benchmark, not a test:
 * it prints figures.
 *
 *   npm run bench:webcam [-- --json FILE]   (FERKIT_BENCH_SECONDS=20 by default)
 *
 * Chromium's fake camera plays a 640x480 video of docs/images/astronaut.jpg
 * at 30 frames/s (one face). WebGL runs on SwiftShader (software) here:
 * --use-angle=swiftshader --enable-unsafe-swiftshader beside --disable-gpu.
 */
import { cpuDescription } from './timing.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tempDir } from '../test/fixtures.js';
import { ASTRONAUT, browserSkip, fakeCameraVideo, launchChromium, startServe } from '../test/web-harness.js';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const SECONDS = Number(process.env.FERKIT_BENCH_SECONDS ?? 20);
const BACKENDS = (process.env.FERKIT_BENCH_BACKENDS ?? 'wasm,webgl').split(',') as ('wasm' | 'webgl' | 'auto')[];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function run(backend: string, camera: string, url: string) {
  const browser = await launchChromium({ camera, webgl: backend !== 'wasm' });
  try {
    const page = await browser.newPage();
    const opened = Date.now();
    await page.goto(url);
    await page.selectOption('#backend', backend);
    await page.click('#camera-button');
    await page.waitForSelector('.face-card', { timeout: 300_000 });
    const firstResult = Date.now() - opened;
    // the page's own mark, from the start of navigation
    const mark = await page.evaluate(() => performance.getEntriesByName('ferkit:first-result')[0]?.startTime ?? NaN);
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
    const tensors = await page.getAttribute('#fps', 'data-tensors');
    return { backend, firstResult, mark, fps: median(samples), min: Math.min(...samples), max: Math.max(...samples), frames: last.n, tensors, engine };
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
    const camera = fakeCameraVideo(ASTRONAUT, join(tmp.dir, 'astronaut.y4m'), 30, 4);
    console.log(`CPU: ${cpuDescription()}; ${SECONDS} one-second samples after a 3 s warm-up; fake camera 640x480 at 30 frames/s`);
    // one browser at a time
    const results = [];
    for (const backend of BACKENDS) {
      const r = await run(backend, camera, served.url);
      results.push(r);
      console.log(
        `${backend.padEnd(5)}  ${r.fps.toFixed(2)} frames/s median (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}), ` +
          `first result ${(r.firstResult / 1000).toFixed(1)} s after opening the page (page's mark ${(r.mark / 1000).toFixed(1)} s), ` +
          `${r.frames} frames, ${r.tensors} tensors alive; ${r.engine}`,
      );
    }
    if (values.json) writeFileSync(values.json, JSON.stringify({ cpu: cpuDescription(), seconds: SECONDS, results }, null, 2) + '\n');
  } finally {
    await served.stop();
    tmp.cleanup();
  }
}

await main();
