/** The service's check of a picture before decoding: the shared limits (src/core/image/limits.ts), answered as HTTP errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { checkPicture, HttpError } from './http.js';
import { pngHeader, pngStrip, tiffHeader } from '../../test/pictures.js';

/** `checkPicture` refuses with this status and code, its message matching `message`. */
async function refused(bytes: Uint8Array, status: number, code: string, message: RegExp, maxPixels = 16_000_000): Promise<void> {
  await assert.rejects(checkPicture(bytes, maxPixels), (err: unknown) => {
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, status, err.message);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('the service refuses strips of millions of rows (413) and formats other than JPEG, PNG and WebP (415)', async () => {
  // four 31 KB uploads of 1 x 16 million pixels starved the service for a minute
  const strip = pngStrip(1, 16_000_000);
  assert.ok(strip.length < 40_000, `${strip.length} bytes`);
  const t0 = performance.now();
  await Promise.all(
    [0, 1, 2, 3].map(() => refused(strip, 413, 'PAYLOAD_TOO_LARGE', /1x16000000 pixels is longer than 65,535 pixels on a side; scale it down/)),
  );
  assert.ok(performance.now() - t0 < 10_000);
  await refused(pngStrip(20, 2001), 413, 'PAYLOAD_TOO_LARGE', /20x2001 pixels is narrower than 1:100/);
  await refused(pngHeader(5000, 5000), 413, 'PAYLOAD_TOO_LARGE', /5000x5000 pixels is over the limit of 16,000,000 pixels/);
  // a TIFF of 1000 samples per pixel: the service reads no TIFF at all
  await refused(tiffHeader(2000, 2000, 1000), 415, 'UNSUPPORTED_MEDIA_TYPE', /TIFF is not read; send JPEG, PNG or WebP/);
  const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .gif()
    .toBuffer();
  await refused(gif, 415, 'UNSUPPORTED_MEDIA_TYPE', /GIF is not read; send JPEG, PNG or WebP/);
  await refused(new TextEncoder().encode('not a picture'), 415, 'UNSUPPORTED_MEDIA_TYPE', /not a picture ferkit reads; send JPEG, PNG or WebP/);
  await refused(pngHeader(0, 10), 415, 'UNSUPPORTED_MEDIA_TYPE', /not a picture/);
  // what passes: a photo of the pixel limit, a 16-bit RGBA PNG
  assert.deepEqual(await checkPicture(pngHeader(4000, 4000, 16, 6), 16_000_000), { width: 4000, height: 4000 });
});
