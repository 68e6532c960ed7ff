/** The service's check of a picture before decoding: the shared limits (src/core/image/limits.ts), answered as HTTP errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { FerkitError, type FerkitErrorCode } from '../core/errors.js';
import { UploadQuotaError } from '../queue/blobs.js';
import { checkPicture, httpError, HttpError } from './http.js';
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

test("httpError: the caller's FerkitErrors are 4xx (a picture that cannot be decoded 422, the others 400), the rest 500", () => {
  const answer = (code: FerkitErrorCode) => {
    const h = httpError(new FerkitError(code, `a ${code} error`));
    return [h.status, h.code, h.message];
  };
  assert.deepEqual(answer('BAD_IMAGE'), [422, 'BAD_IMAGE', 'a BAD_IMAGE error']);
  for (const code of ['BAD_ARGUMENT', 'DATA_NOT_FOUND', 'BAD_DATA'] as const) assert.deepEqual(answer(code), [400, 'BAD_REQUEST', `a ${code} error`]);
  // the service's own failures say nothing of its internals
  for (const code of ['BAD_MODEL', 'UNAVAILABLE', 'INTERNAL'] as const)
    assert.deepEqual(answer(code), [500, 'INTERNAL', 'internal error; the service log has the details']);
  // a job over its upload quota is a caller's BAD_ARGUMENT, answered as too large; a full queue 429
  assert.equal(httpError(new UploadQuotaError('job', 'too much')).status, 413);
  assert.equal(httpError(new UploadQuotaError('queue', 'full', 60)).status, 429);
});
