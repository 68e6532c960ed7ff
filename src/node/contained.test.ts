/**
 * Errors are contained: a batch answers each picture on its own, public
 * functions throw only FerkitError, and bad pictures cost little (pixel cap
 * and formats checked from the header before decoding).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRecognizer, type Recognizer } from './index.js';
import { DEFAULT_MAX_PIXELS, loadRgb, probePicture } from '../fs/picture.js';
import { FerkitError } from '../core/errors.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir } from '../../test/fixtures.js';
import { pngHeader, pngStrip, tiffHeader } from '../../test/pictures.js';
import { SERVICE_FORMATS } from '../core/image/limits.js';

const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const PHOTO = join(SHARED_DATA, 'photos', 'faceapi-examples', 'angry.jpg');
const skip = needs(join(MODEL, 'model.json'), 'the bundled paper model') || needs(PHOTO, 'the photos in ../shared/data/photos');
const { dir, cleanup } = tempDir();

let r: Recognizer;
before(async () => {
  if (!skip) r = await createRecognizer({ model: MODEL });
});
after(() => {
  r?.dispose();
  cleanup();
});

/** `promise` rejects with a FerkitError of `code`, its message under 400 characters. */
async function ferkitError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof FerkitError, `not a FerkitError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    assert.ok(err.message.length < 400, `message of ${err.message.length} characters`);
    return true;
  });
}

/** Runs `fn`, returning its result (or error) with the seconds it took. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T | Error; seconds: number }> {
  const t0 = performance.now();
  let value: T | Error;
  try {
    value = await fn();
  } catch (err) {
    value = err as Error;
  }
  return { value, seconds: (performance.now() - t0) / 1000 };
}

test('recognizeEach([good, bad, good]): each picture gets its faces or its own error', { skip }, async () => {
  const bad = Buffer.from('not a picture at all');
  const results = await r.recognizeEach([PHOTO, bad, PHOTO]);
  assert.equal(results.length, 3);
  assert.ok(results[0].faces && results[0].faces.length >= 1);
  assert.ok(results[2].faces && results[2].faces.length >= 1);
  assert.ok(results[1].error instanceof FerkitError);
  assert.equal(results[1].error.code, 'BAD_IMAGE');
  assert.equal(results[1].faces, undefined);
  // recognize() over a list still fails as one, and says which picture and what to use instead
  await ferkitError(r.recognize([PHOTO, bad, PHOTO]), 'BAD_IMAGE', /picture 2 of 3: .*recognizeEach/);
  // a raw picture whose data does not match its size, among good ones
  const results2 = await r.recognizeEach([{ data: new Uint8Array(10), width: 100, height: 100, channels: 3 }, PHOTO]);
  assert.equal(results2[0].error?.code, 'BAD_IMAGE');
  assert.ok(results2[1].faces);
});

test('public functions throw only FerkitError: null, wrong types, short crops', { skip }, async () => {
  for (const input of [null, undefined, 42, {}, true, [null]]) await ferkitError(r.recognize(input as never), 'BAD_ARGUMENT');
  await assert.doesNotReject(r.recognize([]));
  await ferkitError(r.recognizeEach(null as never), 'BAD_ARGUMENT');
  assert.deepEqual(
    (await r.recognizeEach([null, 7] as never)).map((x) => x.error?.code),
    ['BAD_ARGUMENT', 'BAD_ARGUMENT'],
  );
  await ferkitError(r.classify(new Uint8Array(100)), 'BAD_ARGUMENT', /2304 bytes each/);
  await ferkitError(r.classify(null as never), 'BAD_ARGUMENT');
  assert.equal((await r.classify(new Uint8Array(0))).length, 0);
  await ferkitError(r.recognizeRgb([{ data: new Uint8Array(5), width: 10, height: 10 }]), 'BAD_IMAGE');
  await ferkitError(r.recognizeRgb([null as never]), 'BAD_IMAGE');
  await ferkitError(r.recognizeRgb('x' as never), 'BAD_ARGUMENT');
});

test('a picture over the pixel cap is refused from its header, fast and without decoding', async () => {
  // 16000 x 16000 = 256 MP in a few bytes: a PNG header, then one empty compressed row
  const bomb = pngHeader(16000, 16000);
  const rss0 = process.memoryUsage().rss;
  const { value, seconds } = await measured(() => loadRgb(bomb));
  const grew = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(value instanceof FerkitError && value.code === 'BAD_IMAGE', String(value));
  assert.match(value.message, /16000x16000 pixels is over the limit of 40,000,000 pixels/);
  // decoding would take minutes and gigabytes; the header check takes milliseconds
  assert.ok(seconds < 10, `${seconds} s`);
  assert.ok(grew < 500, `RSS grew ${grew} MB`);
  assert.equal(DEFAULT_MAX_PIXELS, 40_000_000);
  // configurable: a small cap refuses a small picture
  const small = await sharp({ create: { width: 100, height: 100, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  await ferkitError(loadRgb(small, { maxPixels: 5000 }), 'BAD_IMAGE', /over the limit of 5,000 pixels/);
  assert.equal((await loadRgb(small)).width, 100);
});

/** Runs `fn` and measures it: its outcome, the seconds it took and the most the process's RSS grew while it ran (sampled). */
async function costOf<T>(fn: () => Promise<T>): Promise<{ value: T | Error; seconds: number; grewMiB: number }> {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  try {
    const { value, seconds } = await measured(fn);
    return { value, seconds, grewMiB: (Math.max(peak, process.memoryUsage().rss) - rss0) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

test('a picture is bounded by the bytes it decodes to, not by its pixels: a thousand samples per pixel is refused from the header', async () => {
  // 2000 x 2000 pixels (within the 40 MP limit) of 1000 samples: 4 GB decoded, and sharp's pipeline took 23 GB
  for (const samples of [1000, 400, 6]) {
    const tiff = tiffHeader(2000, 2000, samples);
    assert.ok(tiff.length < 200);
    const { value, seconds, grewMiB } = await costOf(() => loadRgb(tiff));
    assert.ok(value instanceof FerkitError && value.code === 'BAD_IMAGE', String(value));
    assert.match(value.message, new RegExp(`2000x2000 pixels with ${samples} samples per pixel is not read; ferkit reads 1 to 5`));
    assert.ok(seconds < 10, `${seconds} s`);
    assert.ok(grewMiB < 200, `RSS grew ${grewMiB} MiB`);
  }
  // 6000 x 6000 RGB with alpha and CMYK of 32-bit floats: 36 MP, under the pixel limit, but 720 MB decoded
  const floats = tiffHeader(6000, 6000, 5, 32, 3);
  const { value } = await costOf(() => loadRgb(floats));
  assert.ok(value instanceof FerkitError && value.code === 'BAD_IMAGE', String(value));
  assert.match(
    value.message,
    /6000x6000 pixels of 5 samples of 32 bits decodes to 687 MiB, over the limit of 305 MiB; scale it down or save it with 8-bit samples or raise maxDecodedBytes/,
  );
  assert.deepEqual(value.options, ['maxDecodedBytes']);
  // the limit follows maxPixels (8 bytes a pixel), and can be set on its own
  await ferkitError(loadRgb(tiffHeader(100, 100, 4, 16), { maxPixels: 5000 }), 'BAD_IMAGE', /over the limit of 5,000 pixels/);
  await ferkitError(loadRgb(tiffHeader(100, 100, 4, 16), { maxDecodedBytes: 50_000 }), 'BAD_IMAGE', /decodes to 0.076 MiB, over the limit of 0.048 MiB/);
});

test('a strip of millions of rows is refused from its header: decoding cost grows with the rows, not the pixels', async () => {
  // 1 x 16 million pixels in 31 KB took 15.9 s to decode (a square picture of as many pixels, 0.17 s); 1 x 39 million, 41 s
  for (const [width, height] of [
    [1, 16_000_000],
    [1, 39_000_000],
    [39_000_000, 1],
  ]) {
    const strip = height > width ? pngStrip(width, height) : pngHeader(width, height);
    const { value, seconds, grewMiB } = await costOf(() => loadRgb(strip));
    assert.ok(value instanceof FerkitError && value.code === 'BAD_IMAGE', String(value));
    assert.match(value.message, new RegExp(`${width}x${height} pixels is longer than 65,535 pixels on a side; scale it down or raise maxSide`));
    assert.ok(seconds < 10, `${seconds} s`);
    assert.ok(grewMiB < 300, `RSS grew ${grewMiB} MiB`);
  }
  // narrower than 1:100: refused, with what to do
  await ferkitError(
    loadRgb(pngStrip(10, 1001)),
    'BAD_IMAGE',
    /10x1001 pixels is narrower than 1:100; crop it to the part that shows faces or raise maxAspectRatio/,
  );
  // 1:100 exactly is read, up to the pixel limit (a side of 63,000 pixels here)
  assert.deepEqual(await loadRgb(pngStrip(10, 1000)).then((r) => [r.width, r.height]), [10, 1000]);
  const tall = await costOf(() => loadRgb(pngStrip(630, 63_000)));
  assert.ok(!(tall.value instanceof Error), String(tall.value));
  assert.deepEqual([tall.value.width, tall.value.height], [630, 63_000]);
  assert.ok(tall.seconds < 10 && tall.grewMiB < 1024, `${tall.seconds} s, ${tall.grewMiB} MiB`);
  // both limits can be moved
  assert.equal((await loadRgb(pngStrip(10, 1001), { maxAspectRatio: 101 })).height, 1001);
  await ferkitError(loadRgb(pngStrip(100, 2000), { maxSide: 1999 }), 'BAD_IMAGE', /longer than 1,999 pixels on a side/);
});

test('the service and the queue workers read JPEG, PNG and WebP only: a TIFF, GIF or AVIF is refused before decoding', async () => {
  const base = sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 20, b: 30 } } });
  for (const [name, bytes] of [
    ['TIFF', await base.clone().tiff().toBuffer()],
    ['GIF', await base.clone().gif().toBuffer()],
    ['AVIF', await base.clone().avif().toBuffer()],
  ] as const) {
    assert.equal((await loadRgb(bytes)).width, 40, `${name} is read by the library and the command line`);
    await ferkitError(loadRgb(bytes, { formats: SERVICE_FORMATS }), 'BAD_IMAGE', new RegExp(`${name} is not read; send JPEG, PNG or WebP`));
  }
  for (const bytes of [await base.clone().jpeg().toBuffer(), await base.clone().png().toBuffer(), await base.clone().webp().toBuffer()]) {
    assert.equal((await loadRgb(bytes, { formats: SERVICE_FORMATS })).height, 30);
  }
});

test('SVG and other formats ferkit does not document are refused before decoding; no referenced file is read', async () => {
  const png = join(dir, 'face.png');
  writeFileSync(
    png,
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .png()
      .toBuffer(),
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"><image xlink:href="${png}" width="64" height="64"/></svg>`;
  writeFileSync(join(dir, 'picture.svg'), svg);
  await ferkitError(loadRgb(Buffer.from(svg)), 'BAD_IMAGE', /SVG is not read; ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF/);
  await ferkitError(loadRgb(join(dir, 'picture.svg')), 'BAD_IMAGE', /SVG is not read/);
  // a PDF header, random bytes: typed errors too
  await ferkitError(loadRgb(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF')), 'BAD_IMAGE');
  await ferkitError(loadRgb(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])), 'BAD_IMAGE');
});

test('a malformed SVG never reaches a decoder: parsed twice at once it crashed the process (found by npm run test:fuzz)', async () => {
  // the fuzzer's input: an SVG cut by a run of vertical tabs; sharp 0.34.5 (librsvg 2.61.2) died on it within
  // a few hundred concurrent metadata() calls. A crash fails this test by ending its process.
  const svg = Buffer.from(
    '3c73766720786d6c6e733d22687474703a2e2f7777772e77332e6f72672f323030302f737667222077696474683d22343022206865696768743d223330223e3c726563742077696474683d2234302220686569670b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b68743d2233',
    'hex',
  );
  for (let i = 0; i < 300; i++) {
    const [a, b] = await Promise.allSettled([loadRgb(svg), probePicture(svg)]);
    assert.equal(a.status, 'rejected');
    assert.equal(((a as PromiseRejectedResult).reason as FerkitError).code, 'BAD_IMAGE');
    assert.deepEqual(b.status === 'fulfilled' && b.value, { format: 'svg', width: 0, height: 0, channels: 0, bytesPerSample: 0 });
  }
});

test('a large picture is searched at the working size: the same faces, at a bounded cost', { skip }, async () => {
  const photo = join(SHARED_DATA, 'photos', 'faceapi-examples', 'bbt1.jpg');
  const base = await r.recognize(photo);
  // 7000 pixels wide (27 MP): the detector used to scan about 100 tiles of it; measured 8 s and 1.2 GB RSS
  const big = await sharp(photo).resize(7000).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const t0 = performance.now();
  const [faces] = await r.recognizeRgb([{ data: big.data, width: big.info.width, height: big.info.height }]);
  const seconds = (performance.now() - t0) / 1000;
  const rss = process.memoryUsage().rss / 2 ** 20;
  assert.equal(faces.length, base.length);
  assert.ok(seconds < 120, `${seconds} s`);
  assert.ok(rss < 4096, `RSS ${rss} MB`);
  // boxes are in the big picture's pixels
  const scale = big.info.width / (await sharp(photo).metadata()).width!;
  const wide = (fs: { box: { x: number } }[]) => fs.map((f) => f.box.x).sort((a, b) => a - b);
  wide(faces).forEach((x, i) =>
    assert.ok(Math.abs(x - wide(base)[i] * scale) < 0.05 * big.info.width, `face at x ${x}, expected about ${wide(base)[i] * scale}`),
  );
});
