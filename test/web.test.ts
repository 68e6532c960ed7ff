/**
 * The web page in a real browser: headless Chromium (Debian's, driven by
 * playwright-core) against `ferkit serve` on a loopback port, with a fake
 * camera playing a photo. Runs with `npm run test:browser`
 * (FERKIT_BROWSER_TESTS=1); skipped otherwise, and where Chromium or ffmpeg
 * is missing. FERKIT_SCREENSHOT=1 also writes docs/images/web-page.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT, SHARED_DATA, tempDir } from './fixtures.js';
import {
  ASTRONAUT,
  browserSkip,
  fakeCameraVideo,
  launchChromium,
  startServe,
  watchPage,
  type LaunchOptions,
  type PageLog,
  type Served,
} from './web-harness.js';

const skip = process.env.FERKIT_BROWSER_TESTS === '1' ? browserSkip() : 'browser tests run with npm run test:browser (FERKIT_BROWSER_TESTS=1)';
/** A group photo of six faces, from the shared data. */
const SIX_FACES = join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt4.jpg');
const skipSix = skip || (existsSync(SIX_FACES) ? false : `needs ${SIX_FACES} (the shared data); absent here`);
/** Generous: a slow CPU loads the models in a minute or more. */
const LONG = 240_000;

let served: Served;
let tmp: ReturnType<typeof tempDir>;
let camera: string;
/** Screenshots stay after the run, for a look; the folder is printed. */
let shots: string;

before(async () => {
  if (skip) return;
  tmp = tempDir('ferkit-web-test-');
  camera = fakeCameraVideo(ASTRONAUT, join(tmp.dir, 'astronaut.y4m'));
  shots = mkdtempSync(join(tmpdir(), 'ferkit-web-screenshots-'));
  served = await startServe();
});

after(async () => {
  if (shots) console.log(`# screenshots in ${shots}`);
  await served?.stop();
  tmp?.cleanup();
});

/** One browser at a time: launched, used and closed. */
async function withBrowser(options: LaunchOptions, use: (browser: Browser) => Promise<void>): Promise<void> {
  const browser = await launchChromium(options);
  try {
    await use(browser);
  } finally {
    await browser.close();
  }
}

function assertClean(log: PageLog, origin: string): void {
  assert.deepEqual(log.errors, [], 'no console errors');
  assert.ok(log.requests.length > 0);
  const elsewhere = log.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
  assert.deepEqual(elsewhere, [], 'every request goes to the server that served the page');
}

async function faceTitles(page: Page): Promise<string[]> {
  return page.$$eval('.face-card h3', (hs) => hs.map((h) => h.textContent ?? ''));
}

async function overlayBox(page: Page): Promise<boolean> {
  return page.$eval('#overlay', (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
    return false;
  });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, name), fullPage: true });

test('the page loads from this server only, its controls are labelled, and it says when there is no camera', { skip, timeout: LONG }, async () => {
  await withBrowser({}, async (browser) => {
    const page = await browser.newPage();
    const log = watchPage(page);
    await page.goto(served.url);
    await page.getByRole('button', { name: 'Start the webcam' }).waitFor();
    await page.getByLabel('Engine').selectOption('wasm');
    await page.getByRole('switch', { name: 'Recognise photos on the server' }).waitFor();
    assert.match((await page.textContent('#privacy')) ?? '', /never leaves your device/);
    // no camera in this browser: a message, not a silent failure
    await page.keyboard.press('Tab');
    await page.getByRole('button', { name: 'Start the webcam' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#message:not([hidden])', { timeout: LONG });
    assert.match((await page.textContent('#message')) ?? '', /camera/i);
    // phone-sized: nothing wider than the screen
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling on a phone');
    await shot(page, 'phone.png');
    assert.deepEqual(
      log.errors.filter((e) => !/camera|NotFound|device/i.test(e)),
      [],
    );
    assertClean({ ...log, errors: [] }, served.url);
  });
});

test('a refused camera permission is explained', { skip, timeout: LONG }, async () => {
  await withBrowser({ refuseCamera: true }, async (browser) => {
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.click('#camera-button');
    await page.waitForSelector('#message:not([hidden])', { timeout: LONG });
    assert.match((await page.textContent('#message')) ?? '', /permission was refused/);
    assert.equal(await page.getAttribute('#camera-button', 'aria-pressed'), 'false');
  });
});

test('a photo gets its face boxed and labelled, in the browser and on the server, and the session exports', { skip, timeout: LONG * 2 }, async () => {
  await withBrowser({}, async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const log = watchPage(page);
    await page.goto(served.url);
    await page.setInputFiles('#photo-input', ASTRONAUT);
    await page.waitForSelector('.face-card', { timeout: LONG });
    const inBrowser = await faceTitles(page);
    assert.equal(inBrowser.length, 1, `one face, got ${inBrowser.join('; ')}`);
    assert.match(inBrowser[0], /^Person 1: happy \d+%/);
    assert.equal(await page.locator('.face-card [role="meter"]').count(), 7, 'seven labelled bars');
    assert.ok(await overlayBox(page), 'a box is drawn over the photo');
    await shot(page, 'photo.png');
    if (process.env.FERKIT_SCREENSHOT === '1') await page.screenshot({ path: join(PROJECT_ROOT, 'docs', 'images', 'web-page.png') });

    await page.getByRole('switch', { name: 'Recognise photos on the server' }).check();
    await page.setInputFiles('#photo-input', ASTRONAUT);
    await page.waitForSelector('#stage[data-where="server"]', { timeout: LONG });
    await page.waitForSelector('.face-card', { timeout: LONG });
    const onServer = await faceTitles(page);
    assert.equal(onServer.length, 1);
    assert.match(onServer[0], /^Person 1: happy \d+%/);
    assert.match((await page.textContent('#status')) ?? '', /on the server/);

    // a photo dropped on the picture area
    await page.evaluate(() => document.getElementById('faces')?.replaceChildren());
    const bytes = readFileSync(ASTRONAUT).toString('base64');
    await page.evaluate(async (b64) => {
      const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.jpg', { type: 'image/jpeg' });
      const data = new DataTransfer();
      data.items.add(file);
      document.getElementById('stage')?.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, bytes);
    await page.waitForSelector('.face-card', { timeout: LONG });
    assert.match((await faceTitles(page))[0], /^Person 1: happy \d+%/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    assert.equal(csv[0].split(',').slice(0, 4).join(','), 't,source,frame,faceId');
    assert.equal(csv.length, 4, 'a row for each photo');
    assert.ok(csv.slice(1).every((row) => /,photo,(astronaut|dropped)\.jpg,1,/.test(row) && row.includes(',happy,')));
    assertClean(log, served.url);
  });
});

test('the webcam runs in the browser: faces, a frame rate and a moving timeline', { skip, timeout: LONG * 2 }, async () => {
  await withBrowser({ camera }, async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const log = watchPage(page);
    await page.goto(served.url);
    await page.click('#camera-button');
    await page.waitForSelector('#stage[data-source="webcam"]', { timeout: LONG });
    await page.waitForSelector('.face-card', { timeout: LONG });
    assert.match((await faceTitles(page))[0], /^Person 1: happy/);
    assert.equal(await page.getAttribute('#camera-button', 'aria-pressed'), 'true');
    // the worker path: cross-origin isolated, its thread count told, each stage of the loop timed
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page is cross-origin isolated');
    assert.ok(Number(await page.getAttribute('#status', 'data-threads')) >= 1, 'the status tells the WebAssembly threads');
    // the webcam's BlazeFace came from the runtime the page reports
    const webcamRuntime = await page.getAttribute('#status', 'data-webcam-detector');
    assert.deepEqual(
      log.requests.some((u) => new URL(u).pathname === '/onnx/blazeface-front.onnx'),
      webcamRuntime === 'onnx',
      `webcam detector on ${webcamRuntime}`,
    );
    await page.waitForSelector('#fps[data-stages]', { state: 'attached', timeout: LONG });
    const stages = JSON.parse((await page.getAttribute('#fps', 'data-stages')) ?? '{}') as Record<string, number>;
    for (const k of ['capture', 'pixels', 'detection', 'crops', 'emotion', 'readBack', 'drawing']) assert.ok(Number.isFinite(stages[k]), `stage ${k} timed`);
    assert.ok(stages.facesPerFrame > 0, 'the worker found faces');
    // the timeline moves: more frames in it later
    await page.waitForFunction(() => Number(document.getElementById('timeline')?.dataset.frames) >= 2, undefined, { timeout: LONG });
    const before = Number(await page.getAttribute('#timeline', 'data-frames'));
    const tensors = await page.getAttribute('#fps', 'data-tensors');
    await page.waitForFunction((n) => Number(document.getElementById('timeline')?.dataset.frames) > n, before, { timeout: LONG });
    assert.match((await page.textContent('#timeline-summary')) ?? '', /^Person 1: happy \d+%/);
    assert.ok(Number(await page.getAttribute('#fps', 'data-fps')) > 0, 'a frame rate is shown');
    assert.equal(await page.getAttribute('#fps', 'data-tensors'), tensors, 'no tensor left behind frame after frame');
    assert.ok(await overlayBox(page));
    await shot(page, 'webcam.png');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as { entries: { source: string; faces: { faceId: number }[] }[] };
    assert.ok(json.entries.length >= 2 && json.entries.every((e) => e.source === 'webcam' && e.faces.every((f) => f.faceId === 1)), 'one tracked person');
    await page.click('#camera-button');
    assert.equal(await page.getAttribute('#camera-button', 'aria-pressed'), 'false');
    assertClean(log, served.url);
  });
});

/** The page's paths below `prefix` it asked the server for. */
const asked = (log: PageLog, prefix: string) => log.requests.map((u) => new URL(u).pathname).filter((p) => p.startsWith(prefix));

test('a six-face photo: all six found in the worker, by the detectors on the runtime chosen for photos', { skip: skipSix, timeout: LONG * 2 }, async () => {
  await withBrowser({}, async (browser) => {
    for (const runtime of ['onnx', 'tfjs'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const log = watchPage(page);
      await page.goto(`${served.url}?photo=${runtime}`);
      await page.waitForSelector('#status[data-photo-detectors]', { state: 'attached', timeout: LONG });
      assert.equal(await page.getAttribute('#status', 'data-photo-detectors'), runtime);
      await page.setInputFiles('#photo-input', SIX_FACES);
      await page.waitForSelector('#status[data-photo-ms]', { state: 'attached', timeout: LONG });
      assert.equal(await page.getAttribute('#status', 'data-photo-ran'), runtime, `the worker ran the photo on ${runtime}`);
      const faces = await faceTitles(page);
      assert.equal(faces.length, 6, `six faces on ${runtime}, got ${faces.join('; ')}`);
      assert.ok(
        faces.every((t, i) => t.startsWith(`Person ${i + 1}: `)),
        faces.join('; '),
      );
      if (runtime === 'onnx') {
        // BlazeFace 256x256 and SSD-MobileNet with its landmarks, as ONNX; face-api's weights not fetched
        assert.deepEqual(asked(log, '/onnx/').sort(), ['/onnx/blazeface.onnx', '/onnx/face_landmark_68.onnx', '/onnx/ssd_mobilenetv1.onnx']);
        assert.deepEqual(asked(log, '/face-api/'), []);
        assert.ok(asked(log, '/ort-wasm/').length > 0, "ONNX Runtime's engine from this server");
        assert.ok(Number(await page.getAttribute('#status', 'data-ort-threads')) >= 1, "the status tells ONNX Runtime's threads");
        assert.match((await page.textContent('#status')) ?? '', /ONNX Runtime, \d+ threads? \([^)]*photo detectors/);
      } else {
        assert.deepEqual(asked(log, '/onnx/'), []);
        assert.ok(asked(log, '/face-api/').some((p) => p.includes('ssd_mobilenetv1')));
      }
      assertClean(log, served.url);
      await page.close();
    }
  });
});

test("the webcam's BlazeFace on ONNX Runtime: faces found, its ONNX file fetched, the runtime and its threads told", { skip, timeout: LONG * 2 }, async () => {
  await withBrowser({ camera }, async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const log = watchPage(page);
    await page.goto(`${served.url}?webcam=onnx&runtime=onnx`);
    await page.click('#camera-button');
    await page.waitForSelector('.face-card', { timeout: LONG });
    assert.match((await faceTitles(page))[0], /^Person 1: happy/);
    assert.equal(await page.getAttribute('#status', 'data-webcam-detector'), 'onnx');
    assert.equal(await page.getAttribute('#status', 'data-emotions'), 'onnx');
    assert.ok(Number(await page.getAttribute('#status', 'data-ort-threads')) >= 1);
    assert.deepEqual(asked(log, '/onnx/'), ['/onnx/blazeface-front.onnx']);
    assert.deepEqual(asked(log, '/blazeface/'), [], "TensorFlow.js's BlazeFace not fetched");
    await page.waitForSelector('#fps[data-stages]', { state: 'attached', timeout: LONG });
    const stages = JSON.parse((await page.getAttribute('#fps', 'data-stages')) ?? '{}') as Record<string, number>;
    assert.ok(stages.facesPerFrame > 0, 'the worker found faces');
    assertClean(log, served.url);
  });
});
