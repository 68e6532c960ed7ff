/**
 * Property-based fuzzing (fast-check): random and mutated bytes thrown at
 * the image path (every format ferkit reads, and some it refuses; headers
 * of any samples per pixel, bits, sides and aspect ratios), the CSV
 * and FER+ readers, the model loader, the HTTP API, videos whose header
 * claims any duration, and URLs that answer slowly, trickle or stall. Each input must end
 * in a result or a typed FerkitError (an HTTP answer other than 500), within
 * a time bound: no crash, no hang, no leaked tensor.
 *
 * Seeded and reproducible: a failure prints its seed and path; rerun with
 * FERKIT_FUZZ_SEED=<seed>. `npm test` runs a short pass; `npm run test:fuzz`
 * (FERKIT_FUZZ=long) a long one, up to FERKIT_FUZZ_SECONDS (300) per target.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { FerkitError } from '../src/core/errors.js';
import { loadRgb, probePicture } from '../src/fs/picture.js';
import { parseFerCsvStream, readFerCsv } from '../src/data/csv.js';
import { readFerPlus } from '../src/data/ferplus.js';
import { loadModelFrom, type ModelFiles } from '../src/core/models/loader.js';
import { initEngine } from '../src/node/engine.js';
import { saveModel } from '../src/store/folder.js';
import { createRecognizer, type Recognizer } from '../src/node/index.js';
import { createServer } from '../src/serve/server.js';
import { getArchitecture } from '../src/core/models/architectures.js';
import { DEFAULT_PREPROCESSING } from '../src/core/models/metadata.js';
import { EMOTIONS, FERPLUS_COLUMNS } from '../src/core/labels.js';
import { csvRow, FERPLUS_HEADER, tempDir } from './fixtures.js';
import { pngHeader, pngStrip, tiffHeader } from './pictures.js';
import { pictureLimits, pictureProblem } from '../src/core/image/limits.js';
import { durationTrust, hasFfmpeg, probeVideo, readFrames, type EarlyEnd } from '../src/video/source.js';
import { DEFAULT_VIDEO_LIMITS, planVideo } from '../src/queue/video-plan.js';
import { claimDuration, matroskaVideo } from './lying-video.js';

const LONG = process.env.FERKIT_FUZZ === 'long';
const SEED = Number(process.env.FERKIT_FUZZ_SEED ?? 20261202);
/** Runs per target, and the time each target may take (the run stops early, without failing, at the limit). */
const RUNS = LONG ? 3000 : 25;
const TIME_LIMIT_MS = Number(process.env.FERKIT_FUZZ_SECONDS ?? (LONG ? 300 : 20)) * 1000;
/** Longest one input may take before it counts as a hang. */
const HANG_MS = 20_000;

const options = (salt: number): fc.Parameters<unknown> => ({
  seed: SEED + salt,
  numRuns: RUNS,
  interruptAfterTimeLimit: TIME_LIMIT_MS,
  markInterruptAsFailure: false,
  endOnFailure: true,
});

const { dir, cleanup } = tempDir('ferkit-fuzz-');
after(cleanup);

/** fc.assert, its failure's cause (the property's own error) in the message, where the test reporter shows it. */
async function check<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, salt: number, runs = RUNS): Promise<void> {
  try {
    await fc.assert(property, { ...options(salt), numRuns: runs } as fc.Parameters<Ts>);
  } catch (err) {
    const cause = (err as Error).cause;
    const head = (err as Error).message.split('\n').slice(0, 2).join(' ');
    throw new Error(`${head}; ${cause instanceof Error ? cause.message : String(cause ?? '')}`.slice(0, 2000), { cause: err });
  }
}

/** `promise`, or an error when it takes longer than HANG_MS. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${HANG_MS / 1000} s`)), HANG_MS);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** The outcome of `fn`: its value, or a FerkitError of one of `codes`; anything else fails the property. */
async function typed<T>(fn: () => Promise<T>, codes: readonly string[], what: string): Promise<T | FerkitError> {
  try {
    return await bounded(fn(), what);
  } catch (err) {
    if (!(err instanceof FerkitError)) throw new Error(`${what}: not a FerkitError: ${String(err)}`, { cause: err });
    assert.ok(codes.includes(err.code), `${what}: code ${err.code} (${err.message})`);
    assert.ok(err.message.length < 1000, `${what}: a message of ${err.message.length} characters`);
    return err;
  }
}

/** Bytes from one of `seeds`, with a few random mutations: flipped bytes, cuts, insertions, overwritten runs. */
function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const op = fc.record({
    kind: fc.constantFrom('flip', 'cut', 'insert', 'run', 'tail'),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
    length: fc.integer({ min: 1, max: 64 }),
  });
  return fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.array(op, { minLength: 1, maxLength: 6 })).map(([i, ops]) => {
    let b = Buffer.from(seeds[i]);
    for (const o of ops) {
      const at = b.length ? o.at % b.length : 0;
      if (o.kind === 'flip' && b.length) b[at] ^= 1 << (o.value % 8);
      else if (o.kind === 'cut') b = b.subarray(0, at);
      else if (o.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.alloc(o.length, o.value), b.subarray(at)]);
      else if (o.kind === 'run') b.fill(o.value, at, Math.min(b.length, at + o.length));
      else if (o.kind === 'tail') b = Buffer.concat([b, Buffer.alloc(o.length, o.value)]);
    }
    return new Uint8Array(b);
  });
}

/** Mutated seeds, or plain random bytes. */
const bytesFrom = (seeds: readonly Uint8Array[]) =>
  fc.oneof({ arbitrary: mutated(seeds), weight: 4 }, { arbitrary: fc.uint8Array({ maxLength: 2048 }), weight: 1 });

let pictures: Uint8Array[] = [];
before(async () => {
  await initEngine((process.env.FERKIT_BACKEND as 'auto' | undefined) ?? 'auto');
  const base = sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 120, b: 40 } } });
  pictures = await Promise.all([
    base.clone().jpeg().toBuffer(),
    base.clone().png().toBuffer(),
    base.clone().webp().toBuffer(),
    base.clone().tiff().toBuffer(),
    base.clone().gif().toBuffer(),
    base.clone().avif().toBuffer(),
    // formats ferkit refuses: they must be refused with a typed error, mutated or not
    Promise.resolve(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30"/></svg>')),
    Promise.resolve(Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')),
  ]);
});

test('fuzz: the image path (JPEG, PNG, WebP, TIFF, GIF, AVIF; SVG and PDF refused)', { timeout: TIME_LIMIT_MS * 3 }, async () => {
  await check(
    fc.asyncProperty(bytesFrom(pictures), async (bytes) => {
      assert.doesNotThrow(() => void probePicture(bytes));
      const r = await typed(() => loadRgb(bytes), ['BAD_IMAGE'], 'loadRgb');
      if (!(r instanceof FerkitError)) assert.equal(r.data.length, r.width * r.height * 3);
    }),
    1,
  );
});

/** A side: mostly small, sometimes around the limits, sometimes absurd. */
const side = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }));

/**
 * Hand-written headers of the classes that once cost minutes and gigabytes:
 * TIFFs of any samples per pixel and bits per sample, PNG strips of many
 * rows (complete, deflated), PNG headers of any sides and bit depths.
 */
const hostileHeaders: fc.Arbitrary<{ what: string; bytes: Uint8Array }> = fc.oneof(
  fc
    .record({
      width: side,
      height: side,
      samples: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 65_535 })),
      bits: fc.constantFrom(1, 8, 16, 32, 64),
      float: fc.boolean(),
    })
    .map(({ width, height, samples, bits, float }) => ({
      what: `TIFF ${width}x${height}, ${samples} samples of ${bits} bits${float ? ' (float)' : ''}`,
      bytes: tiffHeader(width, height, samples, bits, float ? 3 : 1),
    })),
  fc.record({ width: fc.integer({ min: 1, max: 16 }), height: fc.integer({ min: 1, max: 400_000 }), tall: fc.boolean() }).map(({ width, height, tall }) => ({
    what: `PNG strip ${tall ? `${width}x${height}` : `${height}x${width}`}`,
    bytes: tall ? pngStrip(width, height) : pngStrip(height, width),
  })),
  fc
    .record({ width: side, height: side, depth: fc.constantFrom(1, 2, 4, 8, 16), colour: fc.constantFrom(0, 2, 3, 4, 6) })
    .map(({ width, height, depth, colour }) => ({
      what: `PNG header ${width}x${height}, ${depth} bits, colour type ${colour}`,
      bytes: pngHeader(width, height, depth, colour),
    })),
);

test(
  'fuzz: hostile headers (samples per pixel, bits, sides, aspect ratios): refused from the header, or decoded within the limits',
  { timeout: TIME_LIMIT_MS * 3 },
  async () => {
    const limits = pictureLimits();
    await check(
      fc.asyncProperty(hostileHeaders, async ({ what, bytes }) => {
        const header = await probePicture(bytes);
        const problem = header && pictureProblem(header, limits);
        const r = await typed(() => loadRgb(bytes), ['BAD_IMAGE'], `loadRgb(${what})`);
        if (problem)
          assert.ok(
            r instanceof FerkitError && r.message.includes(problem.message),
            `${what}: ${problem.message}, yet ${r instanceof FerkitError ? r.message : 'decoded'}`,
          );
        if (!(r instanceof FerkitError)) {
          assert.equal(r.data.length, r.width * r.height * 3);
          assert.ok(r.width * r.height <= limits.pixels && Math.max(r.width, r.height) <= limits.side, what);
          assert.ok(Math.max(r.width, r.height) / Math.min(r.width, r.height) <= limits.aspectRatio, what);
        }
      }),
      6,
    );
  },
);

test('fuzz: the FER2013 CSV reader, plain and gzipped, strict and with skipBad', { timeout: TIME_LIMIT_MS * 3 }, async () => {
  const rows = [csvRow(3, (i) => i % 256), csvRow(0, () => 7, 'PublicTest'), csvRow(6, () => 255)];
  const csv = Buffer.from(['emotion,pixels,Usage', ...rows, ''].join('\n'));
  const seeds = [csv, Buffer.from(rows.join('\n')), gzipSync(csv)];
  let n = 0;
  await check(
    fc.asyncProperty(bytesFrom(seeds), fc.boolean(), fc.boolean(), async (bytes, skipBad, gz) => {
      const opts = { skipBad, maxLineBytes: 64 * 1024 };
      const r = gz
        ? await typed(
            async () => {
              const file = join(dir, `fuzz-${n++}.csv.gz`);
              writeFileSync(file, bytes);
              return readFerCsv(file, opts);
            },
            ['BAD_DATA'],
            'readFerCsv',
          )
        : await typed(() => parseFerCsvStream(Readable.from([Buffer.from(bytes)]), 'fuzz.csv', opts), ['BAD_DATA'], 'parseFerCsvStream');
      if (!(r instanceof FerkitError)) {
        assert.equal(r.dataset.pixels.length, r.dataset.count * 2304);
        assert.ok(r.dataset.labels.every((l) => l >= 0 && l < 7));
      }
    }),
    2,
  );
});

test('fuzz: the FER+ reader', { timeout: TIME_LIMIT_MS * 3 }, async () => {
  const line = (name: string, votes: number[]) => ['Training', name, ...votes].join(',');
  const text = [
    FERPLUS_HEADER,
    line('fer0000000.png', [4, 0, 0, 1, 0, 0, 0, 0, 0, 5]),
    line(
      '',
      FERPLUS_COLUMNS.map(() => 0),
    ),
    line('fer0000002.png', [10, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    '',
  ].join('\n');
  let n = 0;
  await check(
    fc.asyncProperty(bytesFrom([Buffer.from(text)]), async (bytes) => {
      const file = join(dir, `ferplus-${n++}.csv`);
      writeFileSync(file, bytes);
      const r = await typed(async () => readFerPlus(file), ['BAD_DATA'], 'readFerPlus');
      if (!(r instanceof FerkitError)) assert.equal(r.votes.length, r.rows * FERPLUS_COLUMNS.length);
    }),
    3,
  );
});

test('fuzz: the model loader (model.json, ferkit.json and weights mutated); no tensor leaks', { timeout: TIME_LIMIT_MS * 3 }, async () => {
  const folder = join(dir, 'model');
  const model = getArchitecture('tiny').build({ seed: 1, numClasses: 7, inputSize: 48 });
  await saveModel(model, folder, { architecture: 'tiny', labels: [...EMOTIONS], preprocessing: DEFAULT_PREPROCESSING });
  model.dispose();
  const files = ['model.json', 'ferkit.json', 'weights.bin'].map((f) => new Uint8Array(readFileSync(join(folder, f))));
  const tensors = tf.memory().numTensors;
  await check(
    fc.asyncProperty(fc.nat({ max: 2 }), bytesFrom(files), async (which, bytes) => {
      const content = files.map((f, i) => (i === which ? bytes : f));
      const source: ModelFiles = {
        location: 'fuzz-model',
        async read(path) {
          const i = ['model.json', 'ferkit.json', 'weights.bin'].indexOf(path);
          return i < 0 ? undefined : content[i];
        },
      };
      const r = await typed(() => loadModelFrom(source), ['BAD_MODEL', 'MODEL_NOT_FOUND'], 'loadModelFrom');
      if (!(r instanceof FerkitError)) r.model.dispose();
      assert.equal(tf.memory().numTensors, tensors, `a load leaves no tensor behind (${r instanceof FerkitError ? r.message.slice(0, 300) : 'loaded'})`);
    }),
    4,
  );
});

let recognizer: Recognizer | undefined;
let app: FastifyInstance | undefined;
after(async () => {
  await app?.close();
  recognizer?.dispose();
});

test('fuzz: the HTTP API (bodies, content types, paths): never a 500', { timeout: TIME_LIMIT_MS * 3 }, async () => {
  recognizer = await createRecognizer({ model: 'paper' });
  // errors 500 are logged (with their stack): a failure shows its cause
  app = await createServer({ recognizer, modelName: 'paper', logger: { level: 'error' }, limits: { timeoutMs: 10_000 } });
  const served = app;
  const boundary = 'fuzzBoundary123';
  const multipart = (body: Uint8Array) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  const seeds = [...pictures.slice(0, 3), multipart(pictures[0]), multipart(pictures[1])];
  const types = [
    'image/jpeg',
    'image/png',
    'image/webp',
    `multipart/form-data; boundary=${boundary}`,
    'multipart/form-data',
    'text/plain',
    'application/json',
    'image/svg+xml',
    '',
  ];
  await check(
    fc.asyncProperty(
      bytesFrom(seeds),
      fc.constantFrom(...types),
      fc.constantFrom('/v1/recognize', '/v1/recognize', '/v1/recognize', '/v1/health', '/v1/model', '/openapi.json', '/v1/../etc/passwd', '/nope'),
      fc.constantFrom('POST', 'POST', 'GET', 'PUT'),
      async (body, type, url, method) => {
        const res = await bounded(
          served.inject({
            method: method as 'POST',
            url,
            headers: type ? { 'content-type': type } : {},
            payload: method === 'GET' ? undefined : Buffer.from(body),
          }),
          'inject',
        );
        assert.ok(
          res.statusCode < 500 || res.statusCode === 503,
          `${method} ${url} (${type}, ${body.length} bytes): ${res.statusCode} ${res.body.slice(0, 200)}`,
        );
        if (res.statusCode >= 400) assert.ok((JSON.parse(res.body) as { error?: { code?: string } }).error?.code, res.body.slice(0, 200));
      },
    ),
    5,
  );
});

test('regressions found by fuzzing: a multipart body cut short is a 400; a topology failing half-way leaks no tensor', async () => {
  assert.ok(app, 'the HTTP fuzz test ran first');
  const boundary = 'cutShort';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    pictures[0].subarray(0, 50),
  ]);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/recognize',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.match(res.body, /multipart\/form-data body cannot be read/);

  const folder = join(dir, 'model');
  const json = readFileSync(join(folder, 'model.json'), 'utf8');
  // the second convolution's initializer is unknown: the layers before it are built when loading fails
  const broken = json.replace(/("name":"conv2".*?"class_name":")VarianceScaling/, '$1NoSuchInitializer');
  assert.notEqual(broken, json);
  const files: Record<string, Uint8Array> = {
    'model.json': Buffer.from(broken),
    'ferkit.json': readFileSync(join(folder, 'ferkit.json')),
    'weights.bin': readFileSync(join(folder, 'weights.bin')),
  };
  const tensors = tf.memory().numTensors;
  await assert.rejects(
    loadModelFrom({ location: 'm', read: async (p) => files[p] }),
    (err: FerkitError) => err.code === 'BAD_MODEL' && /NoSuchInitializer/.test(err.message),
  );
  assert.equal(tf.memory().numTensors, tensors);
});

// ---- videos that lie about their length, and URLs that answer slowly ----

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';

/** Claimed durations: any double (NaN, negative, infinite, subnormal, 1e12), and the ones a liar would pick. */
const claims = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, -1, 0, 1e-300, 0.5, 4, 59.9, 7200, 14_400, 14_401, 6e6, 1e8, 1e8 + 1, 1e12, Infinity, -Infinity),
  fc.double({ min: 0, max: 20_000, noNaN: true }),
);

test(
  'fuzz: videos whose header claims any duration: refused, or read within the limits, the real end reported',
  { skip: noFfmpeg, timeout: TIME_LIMIT_MS * 3 },
  async () => {
    const real = [1, 3].map((seconds) => ({ seconds, bytes: matroskaVideo(seconds) }));
    await check(
      fc.asyncProperty(fc.nat({ max: real.length - 1 }), claims, async (which, claim) => {
        const { seconds, bytes } = real[which];
        const file = join(dir, `claim-${which}.mkv`);
        writeFileSync(file, claimDuration(bytes, claim));
        const info = await typed(() => probeVideo(file, { timeoutMs: HANG_MS }), ['BAD_IMAGE'], `probe of a claim of ${claim} s`);
        if (info instanceof FerkitError) {
          // refused only when the claim is one no video has
          assert.ok(!(claim >= 0 && claim <= 1e8) || Number.isNaN(claim), `a claim of ${claim} s refused: ${info.message}`);
          return;
        }
        assert.ok(Number.isNaN(info.duration) || (info.duration >= 0 && info.duration <= 1e8), `duration ${info.duration}`);
        const plan = await typed(async () => planVideo(info, { fps: 5, segmentSeconds: 60 }, DEFAULT_VIDEO_LIMITS, file), ['BAD_IMAGE'], 'plan');
        if (plan instanceof FerkitError) {
          assert.ok(info.duration > DEFAULT_VIDEO_LIMITS.maxSeconds, plan.message);
          return;
        }
        if (plan.kind === 'segments') {
          assert.ok(plan.segments.length <= DEFAULT_VIDEO_LIMITS.maxSegments);
          // segmented only when the bytes bear the claim out
          assert.equal(durationTrust(info), 'trusted');
          return;
        }
        // read whole, within the plan's bound: the frames of the real video, and an early end when the claim was longer
        const ends: EarlyEnd[] = [];
        const frames = await typed(
          async () => {
            let n = 0;
            for await (const f of readFrames(file, { fps: 5, maxSeconds: plan.maxSeconds, onEarlyEnd: (e) => ends.push(e) }, info))
              n += f.image.width > 0 ? 1 : 0;
            return n;
          },
          [],
          `reading a claim of ${claim} s`,
        );
        assert.ok(typeof frames === 'number' && frames <= seconds * 5 + 1, `${String(frames)} frames of ${seconds} s`);
        if (info.duration > seconds * 1.2 + 1) assert.equal(ends.length, 1, `no early end for a claim of ${info.duration} s over ${seconds} s`);
      }),
      11,
    );
  },
);

test(
  'fuzz: URLs that answer slowly, trickle or stall: frames or TIMEOUT, each within its deadline',
  { skip: noFfmpeg, timeout: TIME_LIMIT_MS * 3 + 60_000 },
  async () => {
    const ts = join(dir, 'slow.ts');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=s=96x64:d=2:r=10', '-pix_fmt', 'yuv420p', '-f', 'mpegts', ts]);
    assert.equal(made.status, 0, made.stderr.toString());
    const data = readFileSync(ts);
    const PROBE_MS = 3000;
    const READ_MS = 400;
    const pace = fc.record({
      // bytes sent at once, then `chunk` bytes every `everyMs` ms (0: nothing more, a stall)
      head: fc.integer({ min: 0, max: data.length }),
      chunk: fc.integer({ min: 1, max: 4096 }),
      everyMs: fc.constantFrom(0, 5, 20, 100, 300, 1000),
      // the probe's request paced the same way, or answered at once
      probePaced: fc.boolean(),
    });
    await check(
      fc.asyncProperty(pace, async ({ head, chunk, everyMs, probePaced }) => {
        let requests = 0;
        const timers = new Set<NodeJS.Timeout>();
        const server = createHttpServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'video/mp2t' });
          if (++requests === 1 && !probePaced) return void res.end(data);
          res.write(data.subarray(0, head));
          let at = head;
          if (everyMs > 0) {
            const t = setInterval(() => {
              if (res.destroyed || at >= data.length) {
                clearInterval(t);
                if (!res.destroyed) res.end();
                return;
              }
              res.write(data.subarray(at, (at += chunk)));
            }, everyMs);
            timers.add(t);
          } else if (head >= data.length) res.end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.ts`;
        try {
          const t0 = Date.now();
          const info = await typed(() => probeVideo(url, { timeoutMs: PROBE_MS }), ['TIMEOUT', 'BAD_IMAGE'], 'probe of a slow URL');
          if (info instanceof FerkitError) {
            assert.ok(Date.now() - t0 < PROBE_MS + 3000, `probe gave up after ${Date.now() - t0} ms`);
            return;
          }
          const t1 = Date.now();
          let frames = 0;
          const read = await typed(
            async () => {
              for await (const f of readFrames(url, { fps: 5, readTimeoutMs: READ_MS }, info)) frames += f.image.width > 0 ? 1 : 0;
            },
            ['TIMEOUT', 'BAD_IMAGE'],
            'reading a slow URL',
          );
          // each frame waited for at most the deadline (plus ffmpeg's start)
          const took = Date.now() - t1;
          assert.ok(took < (frames + 1) * READ_MS + 3000, `${took} ms for ${frames} frames${read instanceof FerkitError ? ` (${read.code})` : ''}`);
          assert.ok(frames <= 11, `${frames} frames of a 2 s stream at 5 fps`);
        } finally {
          timers.forEach(clearInterval);
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      }),
      12,
      LONG ? 300 : 8,
    );
  },
);
