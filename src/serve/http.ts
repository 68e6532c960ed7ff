/** The service's errors as HTTP answers, and the checks on a picture before it is decoded. */
import { FerkitError, isCallerError } from '../core/errors.js';
import { formatList, pictureLimits, pictureProblem, SERVICE_FORMATS } from '../core/image/limits.js';
import { probePicture } from '../fs/picture.js';
import { UploadQuotaError } from '../queue/blobs.js';
import { Saturated } from './admission.js';

/** An error with the HTTP status and code the service answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For 503: seconds after which a retry is likely to be admitted. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Headers on every answer: results describe people's faces, so nothing is cached, framed, sniffed or referred. */
export const SECURITY_HEADERS: readonly [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cache-control', 'no-store'],
  ['cross-origin-resource-policy', 'same-origin'],
];

/** The media types of a picture body: the service's formats (SERVICE_FORMATS), each as image/<format>. */
export const IMAGE_TYPES: string[] = SERVICE_FORMATS.map((f) => `image/${f}`);

/** The answer to a request whose client closed it before it was done. */
export function clientGoneError(): HttpError {
  return new HttpError(499, 'CLIENT_GONE', 'the client closed the request');
}

/** The status and code of any error a request can end with. */
export function httpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof Saturated) return new HttpError(503, 'SATURATED', err.message, err.retryAfterSeconds);
  if (err instanceof UploadQuotaError)
    return err.scope === 'job' ? new HttpError(413, 'PAYLOAD_TOO_LARGE', err.message) : new HttpError(429, 'QUOTA', err.message, err.retryAfterSeconds);
  // the caller's errors are 4xx: a picture that cannot be decoded 422, any other 400; the rest are the service's (500)
  if (err instanceof FerkitError && isCallerError(err.code))
    return err.code === 'BAD_IMAGE' ? new HttpError(422, 'BAD_IMAGE', err.message) : new HttpError(400, 'BAD_REQUEST', err.message);
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_FIELDS_LIMIT') return new HttpError(400, 'BAD_REQUEST', 'send each picture as a file field named "image"; other fields are not read');
  if (e.statusCode === 413 || e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT') {
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', `${e.message ?? 'request too large'}; send smaller or fewer pictures`);
  }
  if (e.statusCode === 415)
    return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send a picture as multipart/form-data (field "image") or as a body of type ${IMAGE_TYPES.join(', ')}`);
  if (e.statusCode === 408) return new HttpError(408, 'TIMEOUT', e.message?.startsWith('the body') ? e.message : 'the request took too long to arrive');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new HttpError(e.statusCode, 'BAD_REQUEST', e.message ?? 'bad request');
  return new HttpError(500, 'INTERNAL', 'internal error; the service log has the details');
}

/**
 * Checks a picture from its header, before any decoding, by the check the
 * library, the command line and the queue workers make (src/core/image/limits.ts):
 * JPEG, PNG or WebP only (415), within the pixel, side, aspect-ratio and
 * decoded-byte limits (413), with a usable header (422).
 */
export async function checkPicture(bytes: Uint8Array, maxPixels: number): Promise<{ width: number; height: number }> {
  const header = await probePicture(bytes);
  if (!header) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `not a picture ferkit reads; send ${formatList(SERVICE_FORMATS, 'or')}`);
  const problem = pictureProblem(header, pictureLimits({ maxPixels, formats: SERVICE_FORMATS }));
  if (problem?.kind === 'format') throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', problem.message);
  if (problem?.kind === 'size') throw new HttpError(413, 'PAYLOAD_TOO_LARGE', problem.message);
  if (problem) throw new HttpError(422, 'BAD_IMAGE', problem.message);
  return { width: header.width, height: header.height };
}
