/**
 * The browser's detectors on onnxruntime-web, run here in Node (its
 * WebAssembly engine runs in both), their ONNX files fetched over HTTP from
 * dist/onnx/ as a page fetches them: the same faces as onnxruntime-node's
 * detectors, and errors that say which URL to serve.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BLAZEFACE_FRONT } from '../core/face/blazeface-decode.js';
import type { DetectedFace } from '../core/face/detector.js';
import { loadRgb } from '../fs/picture.js';
import { loadDetector } from '../node/index.js';
import { loadFastDetector } from '../node/index.js';
import { FerkitError } from '../core/errors.js';
import { createRecognizer } from '../node/index.js';
import { createBrowserRecognizer } from './recognizer.js';
import { PROJECT_ROOT, SHARED_DATA } from '../../test/fixtures.js';
import { DETECTOR_FILES as ONNX_DETECTOR_FILES } from '../core/face/load.js';
import { loadBrowserOnnxBlazeFace, loadBrowserOnnxDetector, ortWeb } from './onnx-runner.js';

const ONNX_DIR = join(PROJECT_ROOT, 'dist', 'onnx');
const ASTRONAUT = join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg');
const SIX_FACES = join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt4.jpg');
const skip = existsSync(join(ONNX_DIR, ONNX_DETECTOR_FILES.ssd)) ? false : 'needs dist/onnx/ (npm run build)';

let server: Server | undefined;
let base = '';
const asked: string[] = [];

before(async () => {
  if (skip) return;
  // dist/onnx/ over HTTP, as ferkit serve has it at /onnx/
  server = createServer((req, res) => {
    const url = req.url ?? '';
    asked.push(url);
    // /model/: the bundled default model's folder, as ferkit serve has it
    const model = /^\/model\/([\w.-]+)$/.exec(url);
    const name = url.replace(/^\/onnx\//, '');
    const path = model ? join(PROJECT_ROOT, 'models', 'default', model[1]) : join(ONNX_DIR, name);
    if (!(model || /^[\w.-]+\.onnx$/.test(name)) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/onnx/`;
});

after(() => server?.close());

function assertSameFaces(got: readonly DetectedFace[], want: readonly DetectedFace[], what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} faces, onnxruntime-node found ${want.length}`);
  got.forEach((f, i) => {
    for (const k of ['x', 'y', 'width', 'height'] as const)
      assert.ok(Math.abs(f.box[k] - want[i].box[k]) <= 1, `${what}, face ${i} ${k}: ${f.box[k]} vs ${want[i].box[k]}`);
    assert.ok(Math.abs(f.score - want[i].score) < 1e-3, `${what}, face ${i} score`);
    assert.equal(Boolean(f.eyes), Boolean(want[i].eyes));
  });
}

test('ortWeb: one runtime for the page, its threads set explicitly (one where the page is not cross-origin isolated)', { skip }, async () => {
  const first = await ortWeb({ threads: 3 });
  const again = await ortWeb({ threads: 2 });
  assert.equal(again, first, 'the engine reads its settings once');
  // Node has no crossOriginIsolated: one thread, whatever was asked
  assert.equal(first.threads, 1);
  assert.equal(first.ort.env.wasm.numThreads, first.threads);
});

test('loadBrowserOnnxDetector (auto) finds the faces onnxruntime-node finds, with landmarks', { skip, timeout: 300_000 }, async () => {
  const photos = [ASTRONAUT, ...(existsSync(SIX_FACES) ? [SIX_FACES] : [])];
  const web = await loadBrowserOnnxDetector(base);
  const node = await loadDetector({ kind: 'auto' });
  try {
    for (const file of photos) {
      const img = await loadRgb(file);
      assertSameFaces(await web.detect(img), await node.detect(img), `${file}, auto`);
      // the accurate detector, asked for: SSD-MobileNet and the 68 landmarks
      const accurate = await web.detect(img, { detector: 'accurate' });
      assertSameFaces(accurate, await node.detect(img, { detector: 'accurate' }), `${file}, accurate`);
      assert.ok(accurate.length > 0 && accurate.every((f) => f.landmarks?.length === 68), `${file}: 68 landmarks a face`);
      if (file === SIX_FACES) assert.equal(accurate.length, 6, 'six faces in bbt4.jpg');
    }
  } finally {
    web.dispose();
    node.dispose();
  }
  for (const f of [ONNX_DETECTOR_FILES.blazeface, ONNX_DETECTOR_FILES.ssd, ONNX_DETECTOR_FILES.landmarks]) assert.ok(asked.includes(`/onnx/${f}`), f);
});

test("loadBrowserOnnxBlazeFace: the webcam's 128x128 model finds the face onnxruntime-node's finds", { skip, timeout: 120_000 }, async () => {
  const img = await loadRgb(ASTRONAUT);
  const web = await loadBrowserOnnxBlazeFace(base, { layout: BLAZEFACE_FRONT, maxFaces: 10 });
  const node = await loadFastDetector({ layout: BLAZEFACE_FRONT, maxFaces: 10 });
  try {
    const got = await web.detect(img);
    assert.equal(got.length, 1, 'one face');
    assertSameFaces(got, await node.detect(img), 'astronaut, BlazeFace 128x128');
  } finally {
    web.dispose();
    node.dispose();
  }
  assert.ok(asked.includes(`/onnx/${ONNX_DETECTOR_FILES.blazefaceFront}`));
});

test('a missing ONNX file fails with MODEL_NOT_FOUND, naming the URL and what to serve there', { skip }, async () => {
  const elsewhere = base.replace(/\/onnx\/$/, '/nothing/');
  await assert.rejects(loadBrowserOnnxDetector(elsewhere), (err: unknown) => {
    assert.ok(err instanceof FerkitError);
    assert.equal(err.code, 'MODEL_NOT_FOUND');
    assert.match(err.message, /\/nothing\//);
    assert.match(err.message, /dist\/onnx/);
    return true;
  });
});

test(
  "createBrowserRecognizer: the core's recognizer on the browser platform gives the faces and emotions Node's gives",
  { skip, timeout: 300_000 },
  async () => {
    // a page's ImageData, which Node lacks: the browser platform reads its pixels as a page would
    class ImageData {
      constructor(
        readonly data: Uint8ClampedArray,
        readonly width: number,
        readonly height: number,
      ) {}
    }
    (globalThis as { ImageData?: unknown }).ImageData = ImageData;
    const rgb = await loadRgb(ASTRONAUT);
    const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
    for (let i = 0; i < rgb.width * rgb.height; i++) {
      rgba.set(rgb.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = 255;
    }
    const picture = new ImageData(rgba, rgb.width, rgb.height) as unknown as globalThis.ImageData;
    const web = await createBrowserRecognizer({
      modelUrl: base.replace(/\/onnx\/$/, '/model/'),
      onnxUrl: base,
      runtime: 'onnx',
      backend: 'cpu',
      maxPixels: 1000 * 1000,
    });
    const node = await createRecognizer({ model: 'default' });
    try {
      const [got, want] = [await web.recognize(picture), await node.recognize(ASTRONAUT)];
      assert.equal(got.length, 1, 'one face');
      assertSameFaces(got, want, 'astronaut, createBrowserRecognizer');
      assert.equal(got[0].emotion, want[0].emotion);
      assert.ok(Math.abs(got[0].confidence - want[0].confidence) < 0.01, `confidence ${got[0].confidence} vs ${want[0].confidence}`);
      // each picture answered on its own; a picture over the pixel limit is refused, naming the option
      const big = new ImageData(new Uint8ClampedArray(2000 * 1000 * 4), 2000, 1000) as unknown as globalThis.ImageData;
      const [ok, refused] = await web.recognizeEach([picture, big]);
      assert.equal(ok.faces?.length, 1);
      assert.equal(refused.error?.code, 'BAD_IMAGE');
      assert.match(refused.error?.message ?? '', /maxPixels/);
    } finally {
      web.dispose();
      node.dispose();
      delete (globalThis as { ImageData?: unknown }).ImageData;
    }
  },
);
