/**
 * What a request uploads, read and checked under the service's limits
 * before anything is recognised or queued: the pictures of POST
 * /v1/recognize, and the pictures or video of a job (POST /v1/jobs).
 * Refusals are HttpErrors: 400 for a malformed request, 413 for too much,
 * 415 for what ferkit does not read, 422 for a picture it cannot.
 */
import type { FastifyRequest } from 'fastify';
import type { SubmitInput } from '../queue/client.js';
import { videoContainer } from '../video/signature.js';
import { checkPicture, HttpError, IMAGE_TYPES } from './http.js';

/** The limits an upload is read under (ServeLimits' own). */
export interface UploadLimits {
  /** Bytes of the body: a raw file, or all the files of a multipart request together. */
  bodyBytes: number;
  /** Pixels of a picture, from its header. */
  pixels: number;
  /** Pictures in one request or job. */
  images: number;
}

/** A picture of a request: its bytes, and its multipart file name where it has one. */
export interface Picture {
  bytes: Uint8Array;
  file?: string;
}

/**
 * A multipart body that breaks off or is not the multipart it says it is:
 * the client's fault (400 in ferkit's format), not the service's. Errors
 * that already carry a status pass through.
 */
function unreadableMultipart(err: unknown, what: string): unknown {
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (err instanceof HttpError || e.statusCode !== undefined || e.code?.startsWith('FST_')) return err;
  return new HttpError(400, 'BAD_REQUEST', `the multipart/form-data body cannot be read (${String(e.message).slice(0, 80)}); ${what}`);
}

/** The pictures of a recognition request: multipart `image` fields (with their file names), or the raw body. */
export async function readPictures(req: FastifyRequest, limits: Pick<UploadLimits, 'bodyBytes'>): Promise<Picture[]> {
  if (!req.isMultipart()) {
    const body = req.body;
    if (!(body instanceof Uint8Array) || body.length === 0) {
      throw new HttpError(400, 'BAD_REQUEST', `no picture: send multipart/form-data with a field "image", or a body of type ${IMAGE_TYPES.join(', ')}`);
    }
    return [{ bytes: body }];
  }
  const pictures: Picture[] = [];
  let total = 0;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file' || part.fieldname !== 'image') {
        throw new HttpError(400, 'BAD_REQUEST', `unexpected multipart field "${part.fieldname}"; send each picture as a file field named "image"`);
      }
      const bytes = await part.toBuffer();
      total += bytes.length;
      if (part.file.truncated || total > limits.bodyBytes)
        throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the pictures are over ${limits.bodyBytes} bytes together; send fewer or smaller ones`);
      pictures.push({ bytes, ...(part.filename ? { file: part.filename } : {}) });
    }
  } catch (err) {
    throw unreadableMultipart(err, 'send each picture as a file field named "image"');
  }
  if (pictures.length === 0) throw new HttpError(400, 'BAD_REQUEST', 'no picture: send a file field named "image"');
  return pictures;
}

/** The media types of a video body. */
export const VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime', 'video/x-matroska', 'video/x-msvideo', 'video/mpeg'];

/** What a job is given to do: pictures (uploaded, or where the workers find them), or one video. */
export type JobUpload = { kind: 'pictures'; pictures: SubmitInput[] } | { kind: 'video'; video: SubmitInput };

/** A job's inputs as read, before the checks that need them all. */
interface JobInputs {
  pictures: SubmitInput[];
  video?: SubmitInput;
}

/**
 * The pictures or video of a job: multipart file fields "image" (one or
 * more) or "video" (one), a raw picture or video body, or JSON
 * {"images": [URL or path...]} or {"video": URL or path}. Uploads are
 * checked as /v1/recognize checks them (a picture's format and size from its
 * header, a video's container) before they are queued.
 */
export async function readJobUpload(req: FastifyRequest, limits: UploadLimits): Promise<JobUpload> {
  const { pictures, video } = req.isMultipart()
    ? await multipartJobInputs(req, limits)
    : req.body instanceof Uint8Array
      ? await rawJobInputs(req, req.body, limits)
      : jsonJobInputs(req.body);
  if (video && pictures.length) throw new HttpError(400, 'BAD_REQUEST', 'send pictures or one video, not both');
  if (!video && !pictures.length)
    throw new HttpError(
      400,
      'BAD_REQUEST',
      'nothing to do: send multipart fields "image" or "video", a picture or video body, or JSON {"images": [...]} or {"video": ...}',
    );
  if (pictures.length > limits.images) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `${pictures.length} pictures; at most ${limits.images} per job`);
  return video ? { kind: 'video', video } : { kind: 'pictures', pictures };
}

/** A file field of a job's multipart body. */
interface JobPart {
  field: 'image' | 'video';
  name: string;
  bytes: Uint8Array;
}

async function multipartJobInputs(req: FastifyRequest, limits: UploadLimits): Promise<JobInputs> {
  let parts: JobPart[];
  try {
    parts = await readJobParts(req, limits);
  } catch (err) {
    throw unreadableMultipart(err, 'send pictures as file fields "image", or a video as "video"');
  }
  const inputs: JobInputs = { pictures: [] };
  for (const { field, name, bytes } of parts) {
    if (field === 'video') {
      if (inputs.video) throw new HttpError(400, 'BAD_REQUEST', 'one video per job; send each as its own job');
      checkVideo(bytes);
      inputs.video = { name, bytes };
    } else {
      await checkPicture(bytes, limits.pixels);
      inputs.pictures.push({ name, bytes });
    }
  }
  return inputs;
}

/** A job's multipart file fields, within the body's byte limit; their contents are checked by the caller. */
async function readJobParts(req: FastifyRequest, limits: UploadLimits): Promise<JobPart[]> {
  const parts: JobPart[] = [];
  let total = 0;
  for await (const part of req.parts()) {
    if (part.type !== 'file' || (part.fieldname !== 'image' && part.fieldname !== 'video'))
      throw new HttpError(400, 'BAD_REQUEST', `unexpected multipart field "${part.fieldname}"; send pictures as file fields "image", or a video as "video"`);
    const bytes = await part.toBuffer();
    total += bytes.length;
    if (part.file.truncated || total > limits.bodyBytes)
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the files are over ${limits.bodyBytes} bytes together; send fewer or smaller ones, or a URL`);
    parts.push({ field: part.fieldname, name: part.filename || part.fieldname, bytes });
  }
  return parts;
}

/** A raw body: a video by its media type, else a picture. */
async function rawJobInputs(req: FastifyRequest, body: Uint8Array, limits: UploadLimits): Promise<JobInputs> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (VIDEO_TYPES.includes(type)) {
    checkVideo(body);
    return { pictures: [], video: { name: 'upload', bytes: body } };
  }
  await checkPicture(body, limits.pixels);
  return { pictures: [{ name: 'upload', bytes: body }] };
}

/** A JSON body: where the workers find the pictures or the video. */
function jsonJobInputs(body: unknown): JobInputs {
  const inputs: JobInputs = { pictures: [] };
  if (!body || typeof body !== 'object') return inputs;
  const b = body as { images?: unknown; video?: unknown };
  if (b.images !== undefined) {
    if (!Array.isArray(b.images)) throw new HttpError(400, 'BAD_REQUEST', '"images" is a list of URLs or paths');
    inputs.pictures.push(...b.images.map(reference));
  }
  if (b.video !== undefined) inputs.video = reference(b.video);
  return inputs;
}

/** An uploaded video must begin as a container does: random bytes are refused (415) rather than stored for a worker. */
function checkVideo(bytes: Uint8Array): void {
  if (!videoContainer(bytes))
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the upload is not a video container ferkit reads; send an MP4, MOV, MKV, WebM, AVI or MPEG file');
}

/** Where a job's input is, when the client does not upload it: an http(s) URL, or an absolute path on the workers. */
function reference(s: unknown): SubmitInput {
  if (typeof s !== 'string' || !s)
    throw new HttpError(400, 'BAD_REQUEST', 'each of "images" and "video" names an http(s) URL or an absolute path on the workers');
  if (/^https?:\/\//i.test(s)) return { name: s, url: s };
  if (s.startsWith('/')) return { name: s, path: s };
  throw new HttpError(
    400,
    'BAD_REQUEST',
    `"${s}" is neither an http(s) URL nor an absolute path; upload the file instead (multipart field "image" or "video")`,
  );
}
