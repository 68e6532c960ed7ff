/**
 * The service's JSON schemas: Fastify validates requests and serialises
 * responses with them, and the OpenAPI document is generated from them.
 */
import { EMOTIONS } from '../core/labels.js';

const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const emotion = { type: 'string', enum: [...EMOTIONS] } as const;

/** An error as the service reports it, for a request or for a job: a stable code (the codes it can take in `codes`) and a message. */
function errorObject<C extends string, M extends { description?: string }>(codes: C, message: M) {
  return {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: { type: 'string', description: codes }, message: { type: 'string', ...message } },
  } as const;
}

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: errorObject(
      'Stable error code: BAD_REQUEST, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, BAD_IMAGE, SATURATED, TIMEOUT, NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL',
      {
        description: 'What went wrong and what to do about it',
      },
    ),
  },
} as const;

const point = { type: 'object', required: ['x', 'y'], properties: { x: { type: 'number' }, y: { type: 'number' } } } as const;

export const faceSchema = {
  type: 'object',
  required: ['faceId', 'box', 'score', 'emotion', 'confidence', 'uncertain', 'top', 'emotions', 'roll'],
  properties: {
    faceId: { type: 'integer', minimum: 1, description: '1-based number of the face in its picture, largest first' },
    box: {
      type: 'object',
      required: ['x', 'y', 'width', 'height'],
      properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number' }, height: { type: 'number' } },
      description: 'Where the face is, in picture pixels (EXIF orientation applied)',
    },
    score: { ...probability, description: 'Detection confidence' },
    emotion,
    confidence: { ...probability, description: 'Calibrated probability of `emotion`' },
    uncertain: { type: 'boolean', description: "True when `confidence` is below the model's threshold, where answers become more often wrong than right" },
    top: { type: 'array', items: { type: 'object', required: ['label', 'score'], properties: { label: emotion, score: probability } } },
    emotions: { type: 'object', required: [...EMOTIONS], properties: Object.fromEntries(EMOTIONS.map((e) => [e, probability])) },
    roll: { type: 'number', description: 'Head roll that was levelled, in degrees' },
    eyes: {
      type: 'object',
      required: ['left', 'right'],
      properties: { left: point, right: point },
      description: "The eyes' centres in picture pixels, `left` the one on the picture's left; present when the face detector gives them",
    },
  },
} as const;

const fileName = {
  type: 'string',
  description: "The picture's file name, as its multipart part gave it (absent for a raw body or a part without one)",
} as const;
const index = { type: 'integer', minimum: 0, description: 'Place of the picture in the request, from 0' } as const;

/** One picture's answer. */
export const pictureSchema = {
  type: 'object',
  required: ['faces', 'milliseconds'],
  properties: {
    file: fileName,
    faces: { type: 'array', items: faceSchema },
    width: { type: 'integer' },
    height: { type: 'integer' },
    milliseconds: { type: 'number', description: 'Time to decode the picture and recognise its faces' },
  },
} as const;

/** A picture of a batch: its answer or its error, named by its place in the request and its file name. */
export const batchItemSchema = {
  anyOf: [
    { ...pictureSchema, required: ['index', ...pictureSchema.required], properties: { index, ...pictureSchema.properties } },
    { type: 'object', required: ['index', 'error'], properties: { index, file: fileName, error: errorSchema.properties.error } },
  ],
} as const;

export const recognizeResponseSchema = {
  type: 'object',
  required: ['model', 'milliseconds'],
  description:
    'One picture: `faces`. Several multipart `image` fields: `results`, in the order sent, each a picture or an error, named by its `index` in the request and its `file` name.',
  properties: {
    model: { type: 'string' },
    ...pictureSchema.properties,
    milliseconds: { type: 'number', description: 'Time from the request to the answer' },
    results: { type: 'array', items: batchItemSchema },
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status', 'model', 'engine', 'running', 'waiting'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    model: { type: 'string' },
    engine: { type: 'string' },
    running: { type: 'integer', description: 'Inferences running now' },
    waiting: { type: 'integer', description: 'Requests waiting for a slot' },
    uptimeSeconds: { type: 'number' },
  },
} as const;

export const modelSchema = {
  type: 'object',
  required: ['name', 'architecture', 'labels', 'preprocessing'],
  properties: {
    name: { type: 'string' },
    architecture: { type: 'string' },
    description: { type: 'string' },
    parameters: { type: 'integer' },
    labels: { type: 'array', items: { type: 'string' } },
    preprocessing: { type: 'object', additionalProperties: true },
    metrics: { type: 'object', additionalProperties: true, description: 'Accuracy figures recorded when the model was trained' },
    calibration: { type: 'object', additionalProperties: true, description: 'The fitted temperature (and class bias) applied to every answer' },
    uncertainBelow: { type: 'number' },
  },
} as const;

/** Options of a video job, as query parameters of POST /v1/jobs. */
export const jobQuerySchema = {
  type: 'object',
  properties: {
    fps: { type: 'number', exclusiveMinimum: 0, maximum: 60, description: 'Video: frames sampled per second (default 5)' },
    smoothing: { type: 'number', minimum: 0, maximum: 60, description: 'Video: half-life of the smoothing in seconds (default 0.5; 0 = off)' },
    maxSide: { type: 'integer', minimum: 16, maximum: 4096, description: 'Video: frames scaled down to this longest side (default 1280)' },
    segmentSeconds: { type: 'number', minimum: 1, description: 'Video: seconds per segment analysed by one worker (default 60)' },
    detectEvery: {
      type: 'number',
      minimum: 0,
      maximum: 60,
      description: 'Video: seconds between searches of whole frames for faces, each face followed in between (default 0.5; 0 = search every sampled frame)',
    },
  },
} as const;

export const jobCreatedSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The job, for GET /v1/jobs/{id} and /v1/jobs/{id}/events' } },
} as const;

export const jobStatusSchema = {
  type: 'object',
  required: ['id', 'kind', 'state', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['pictures', 'video'] },
    state: { type: 'string', enum: ['waiting', 'active', 'completed', 'failed', 'delayed', 'waiting-children', 'prioritized', 'unknown'] },
    progress: {
      type: 'object',
      required: ['done', 'total', 'unit'],
      properties: { done: { type: 'number' }, total: { type: 'number' }, unit: { type: 'string', enum: ['pictures', 'frames'] } },
    },
    result: {
      type: 'object',
      additionalProperties: true,
      description:
        'When completed. Pictures: {kind, model, pictures: [{file, faces}]} as `ferkit predict --json` prints them. A video: {kind, model, segments, timeline, summary} as `ferkit video --json` prints them',
    },
    error: errorObject('BAD_IMAGE, DATA_NOT_FOUND, BAD_ARGUMENT (a bad input, not retried), or UNAVAILABLE (still failing after its retries)', {}),
    attempts: { type: 'integer', description: 'Attempts made (a transient failure is retried with backoff)' },
    createdAt: { type: 'integer', description: 'Milliseconds since 1970' },
    finishedAt: { type: 'integer' },
  },
} as const;
