import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatList, pictureLimits, pictureProblem, SERVICE_FORMATS, type PictureHeader } from './limits.js';

const header = (h: Partial<PictureHeader>): PictureHeader => ({ format: 'png', width: 4000, height: 3000, channels: 3, bytesPerSample: 1, ...h });
const defaults = pictureLimits();

test('picture limits: the defaults, and the decoded-byte limit following maxPixels', () => {
  assert.deepEqual(defaults, {
    pixels: 40_000_000,
    decodedBytes: 320_000_000,
    side: 65_535,
    aspectRatio: 100,
    formats: ['jpeg', 'png', 'webp', 'tiff', 'gif', 'avif'],
  });
  assert.equal(pictureLimits({ maxPixels: 16_000_000 }).decodedBytes, 128_000_000);
  assert.equal(pictureLimits({ maxPixels: 16_000_000, maxDecodedBytes: 10 }).decodedBytes, 10);
  assert.equal(formatList(SERVICE_FORMATS), 'JPEG, PNG and WebP');
});

test('pictureProblem: ordinary pictures pass, each limit refuses with its kind and the option that moves it', () => {
  // a 12 MP photo, a 40 MP RGBA PNG of 16 bits, a grey face, CMYK with alpha
  for (const h of [
    header({}),
    header({ width: 8000, height: 5000, channels: 4, bytesPerSample: 2 }),
    header({ width: 48, height: 48, channels: 1 }),
    header({ format: 'tiff', channels: 5 }),
  ]) {
    assert.equal(pictureProblem(h, defaults), undefined, JSON.stringify(h));
  }
  const problem = (h: Partial<PictureHeader>, limits = defaults) => {
    const p = pictureProblem(header(h), limits);
    return p && [p.kind, p.option];
  };
  assert.deepEqual(problem({ format: 'svg' }), ['format', 'formats']);
  assert.deepEqual(problem({ format: 'heic' }), ['format', 'formats']);
  assert.deepEqual(problem({ format: 'tiff' }, pictureLimits({ formats: SERVICE_FORMATS })), ['format', 'formats']);
  assert.deepEqual(problem({ width: 0 }), ['content', undefined]);
  assert.deepEqual(problem({ height: NaN }), ['content', undefined]);
  assert.deepEqual(problem({ width: 1, height: 39_000_000 }), ['size', 'maxSide']);
  assert.deepEqual(problem({ width: 70_000, height: 700 }), ['size', 'maxSide']);
  assert.deepEqual(problem({ width: 101, height: 1 }), ['size', 'maxAspectRatio']);
  assert.equal(problem({ width: 100, height: 1 }), undefined);
  assert.deepEqual(problem({ width: 16_000, height: 16_000 }), ['size', 'maxPixels']);
  // samples per pixel: 1000 or 400 are no picture ferkit reads, whatever the pixels; 0 neither
  assert.deepEqual(problem({ width: 2000, height: 2000, channels: 1000 }), ['content', undefined]);
  assert.deepEqual(problem({ width: 2, height: 2, channels: 6 }), ['content', undefined]);
  assert.deepEqual(problem({ channels: 0 }), ['content', undefined]);
  // decoded bytes: 36 MP of five 32-bit samples is 720 MB; of 64-bit samples, more again
  assert.deepEqual(problem({ format: 'tiff', width: 6000, height: 6000, channels: 5, bytesPerSample: 4 }), ['size', 'maxDecodedBytes']);
  assert.deepEqual(problem({ width: 7000, height: 5000, channels: 4, bytesPerSample: 16 }), ['size', 'maxDecodedBytes']);
  assert.equal(problem({ width: 7000, height: 5000, channels: 4, bytesPerSample: 16 }, pictureLimits({ maxDecodedBytes: 3e9 })), undefined);
});

test('pictureProblem messages say what is wrong and what to do', () => {
  assert.equal(pictureProblem(header({ format: 'svg' }), defaults)?.message, 'SVG is not read; ferkit reads JPEG, PNG, WebP, TIFF, GIF and AVIF');
  assert.equal(pictureProblem(header({ format: 'gif' }), pictureLimits({ formats: SERVICE_FORMATS }))?.message, 'GIF is not read; send JPEG, PNG or WebP');
  assert.equal(
    pictureProblem(header({ width: 1, height: 16_000_000 }), defaults)?.message,
    'a picture of 1x16000000 pixels is longer than 65,535 pixels on a side; scale it down',
  );
  assert.equal(
    pictureProblem(header({ width: 2000, height: 10 }), defaults)?.message,
    'a picture of 2000x10 pixels is narrower than 1:100; crop it to the part that shows faces',
  );
  assert.match(
    pictureProblem(header({ width: 2000, height: 2000, channels: 1000 }), defaults)?.message ?? '',
    /1000 samples per pixel is not read; ferkit reads 1 to 5 .*Save it as an ordinary RGB picture/,
  );
  assert.equal(
    pictureProblem(header({ width: 6000, height: 6000, channels: 5, bytesPerSample: 4 }), defaults)?.message,
    'a picture of 6000x6000 pixels of 5 samples of 32 bits decodes to 687 MiB, over the limit of 305 MiB; scale it down or save it with 8-bit samples',
  );
});
