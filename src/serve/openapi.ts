/** The OpenAPI 3.1 document of the service, generated from its routes' schemas. */
import { IMAGE_TYPES } from './http.js';

/** A route as documented: the same schemas Fastify validates and serialises with. */
export interface RouteDoc {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  query?: { properties: Record<string, object> };
  /** Path parameters (`:id` in the URL). */
  params?: { properties: Record<string, object> };
  /** The file fields of a multipart body. Default: "image". */
  multipartFields?: string[];
  /** The schema of a JSON body. */
  jsonBody?: object;
  /** The 200 answer is a stream of server-sent events (text/event-stream), each carrying the 200 schema. */
  eventStream?: boolean;
  /** Content types of the request body (POST). */
  bodyTypes?: string[];
  /** JSON schema of the answer, by status. */
  responses: Record<number, object>;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  202: 'Accepted: queued',
  404: 'Not found',
  405: 'Not answered with this method; the Allow header names the ones that are',
  400: 'Malformed request',
  413: 'Too large: body, picture size in pixels, number of pictures, or the bytes one job may upload',
  408: 'The body did not arrive in time',
  429: 'The queue holds as many uploads as its quota allows; see Retry-After',
  415: `Not a picture the service reads: send ${IMAGE_TYPES.join(', ')} (or multipart/form-data of them)`,
  422: 'A picture that cannot be decoded',
  503: 'Saturated: every inference slot and queue place is taken; see Retry-After',
};

export function openApiDocument(routes: readonly RouteDoc[], info: { version?: string } = {}): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) (paths[r.url.replace(/:(\w+)/g, '{$1}')] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'ferkit',
      version: info.version ?? '0',
      description: 'Facial expression recognition: the faces in a picture and which of seven emotions each one shows.',
    },
    paths,
  };
}

/** A route's operation: its summary, answers, query and path parameters, and request body. */
function operation(r: RouteDoc): Record<string, unknown> {
  const op: Record<string, unknown> = {
    summary: r.summary,
    responses: Object.fromEntries(
      Object.entries(r.responses).map(([status, schema]) => [
        status,
        {
          description: STATUS_TEXT[Number(status)] ?? 'Answer',
          ...(Number(status) === 503 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying' } } } : {}),
          content: { [r.eventStream && Number(status) === 200 ? 'text/event-stream' : 'application/json']: { schema } },
        },
      ]),
    ),
  };
  const parameters = [
    ...Object.entries(r.query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ...Object.entries(r.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
  ];
  if (r.query || r.params) op.parameters = parameters;
  if (r.bodyTypes) op.requestBody = { required: true, content: Object.fromEntries(r.bodyTypes.map((t) => [t, bodyContent(r, t)])) };
  return op;
}

/** The schema of a request body of type `t`: a multipart body's file fields, a JSON body's schema, or bytes. */
function bodyContent(r: RouteDoc, t: string): object {
  if (t === 'application/json' && r.jsonBody) return { schema: r.jsonBody };
  if (t !== 'multipart/form-data') return { schema: { type: 'string', format: 'binary' } };
  const field = (f: string) =>
    f === 'image'
      ? { type: 'array', items: { type: 'string', format: 'binary' }, description: 'One picture, or several for a batch' }
      : { type: 'string', format: 'binary', description: `One ${f}` };
  return {
    schema: {
      type: 'object',
      properties: Object.fromEntries((r.multipartFields ?? ['image']).map((f) => [f, field(f)])),
      ...(r.multipartFields ? {} : { required: ['image'] }),
    },
  };
}
