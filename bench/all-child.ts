/**
 * The measurements `npm run bench` (bench/all.ts) makes, one per process so
 * that the libraries do not share a TensorFlow.js engine: each mode prints
 * one JSON line with its figures as the last line of its output.
 *
 *   node dist/bench/all-child.js --mode classify|pipeline|face-api|human [--runs N]
 *
 * The heavy modules are imported inside each mode, so that a mode loads only
 * its own library. Cold start has a script of its own (bench/cold-start.ts),
 * which imports nothing before it starts the clock.
 */
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { interleaved } from './timing.js';
import { PHOTOS, photoPng } from './photos.js';
import { stageMedians, timeStages, type StageCall } from './stages.js';

const { values } = parseArgs({ options: { mode: { type: 'string' }, runs: { type: 'string' } } });
const runs = Number(values.runs ?? 21);

/** Timings of one configuration: every call's milliseconds. */
export interface Timings {
  p50: number;
  p99: number;
  /** 1000 / p50. */
  perSecond: number;
  calls: number;
}

/** The value below which a fraction `q` of the sorted values lie (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function timings(ms: readonly number[]): Timings {
  const s = [...ms].sort((a, b) => a - b);
  const p50 = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { p50, p99: quantile(s, 0.99), perSecond: 1000 / p50, calls: s.length };
}

const memoryMb = () => process.resourceUsage().maxRSS / 1024;

/** The recognizer's classify at batch 1 and 64, the model's FLOPs per face, and the engine's matrix-multiply peak. */
async function classify() {
  const tf = await import('@tensorflow/tfjs');
  const { createRecognizer } = await import('../src/index.js');
  const { defaultModelDir, loadModel } = await import('../src/entries/models.js');
  const { modelFlops } = await import('./flops.js');
  // the yardstick (a matrix product) runs on TensorFlow.js's native engine, which recognition does not load
  const { initEngine } = await import('../src/entries/models.js');
  await initEngine();
  const r = await createRecognizer({ detector: false });
  const crops = new Uint8Array(64 * 2304).map((_, i) => (i * 7 + (i >> 11) * 13) % 256);
  const one = crops.subarray(0, 2304);
  const times = await interleaved({ one: () => r.classify(one) }, runs * 10);
  const { model, meta } = await loadModel(defaultModelDir());
  const flopsPerFace = modelFlops(model.layers);
  model.dispose();
  // the engine's peak: a large matrix product on all cores, 2·n³ operations; it takes turns with
  // batch-64 classification so that a busy machine slows both alike
  const n = 2048;
  const [a, b] = [tf.randomUniform([n, n]), tf.randomUniform([n, n])];
  const times64 = await interleaved(
    {
      b64: () => r.classify(crops),
      mm: async () => {
        const c = tf.matMul(a, b);
        const corner = tf.slice(c, [0, 0], [1, 1]);
        await corner.data();
        tf.dispose([c, corner]);
      },
    },
    runs,
  );
  tf.dispose([a, b]);
  const batch64 = timings(times64['b64']);
  const peakGflops = (2 * n ** 3) / (timings(times64['mm']).p50 / 1000) / 1e9;
  const facesPerSecond = (64 * 1000) / batch64.p50;
  r.dispose();
  return {
    engine: r.engine.backend,
    architecture: meta.architecture,
    batch1: timings(times['one']),
    batch64: { ...batch64, facesPerSecond },
    flopsPerFace,
    peak: { gflops: peakGflops, matmulSize: n },
    shareOfPeak: (facesPerSecond * flopsPerFace) / (peakGflops * 1e9),
  };
}

/** `measure` on each of the two pictures (as PNG bytes), each result named by its picture; an absent picture is reported as skipped. */
async function eachPhoto<T extends object>(measure: (png: Uint8Array) => Promise<T>) {
  const out: ({ photo: string; file: string; skipped: string } | ({ photo: string; file: string } & T))[] = [];
  for (const photo of PHOTOS) {
    const png = await photoPng(photo.file);
    if (!png) out.push({ photo: photo.name, file: photo.file, skipped: `${photo.file} is absent` });
    else out.push({ photo: photo.name, file: photo.file, ...(await measure(png)) });
  }
  return out;
}

/**
 * ferkit's whole pipeline on the two pictures, decoded once (as peers are
 * handed a decoded tensor), with each detector, each stage timed within the
 * same calls; the decode (sharp, src/node/decode.ts) timed in turn with
 * them as a stage of its own; and the process's peak memory.
 */
async function pipeline() {
  const { createRecognizer } = await import('../src/index.js');
  const { loadRgb } = await import('../src/entries/models.js');
  const kinds = ['auto', 'fast', 'accurate'] as const;
  const recognizers = await Promise.all(kinds.map((detector) => createRecognizer({ detector })));
  const out = await eachPhoto(async (png) => {
    const img = await loadRgb(png);
    const tasks: Record<string, () => Promise<unknown>> = { decode: () => loadRgb(png) };
    const faces: Record<string, number> = {};
    const calls: Record<string, StageCall[]> = {};
    for (const [i, kind] of kinds.entries()) {
      faces[kind] = (await recognizers[i].recognizeRgb([img]))[0].length;
      calls[kind] = [];
      tasks[kind] = async () => calls[kind].push(await timeStages((call) => recognizers[i].recognizeRgb([img], call)));
    }
    const times = await interleaved(tasks, runs);
    return {
      decode: timings(times['decode']),
      // the first call of each is interleaved()'s warm-up, not timed
      detectors: kinds.map((k) => ({ detector: k, faces: faces[k], ...timings(times[k]), stages: stageMedians(calls[k].slice(1)) })),
    };
  });
  recognizers.forEach((r) => r.dispose());
  return { engine: recognizers[0].engine.backend, runtime: recognizers[0].runtime, photos: out, maxRssMb: memoryMb() };
}

interface PeerTensor {
  shape: number[];
  dtype: string;
  dispose(): void;
}
interface PeerTf {
  getBackend(): string;
  tidy<T extends PeerTensor>(f: () => T): T;
  expandDims(t: PeerTensor, axis: number): PeerTensor;
  cast(t: PeerTensor, dtype: 'float32'): PeerTensor;
  node: { decodeImage(bytes: Uint8Array, channels: number): PeerTensor };
}

/**
 * A picture as both peers' Node demos hand it over, their fastest documented
 * path (human's demo/nodejs/node.js, face-api's demo/node.js): decoded by
 * tfjs-node, a batch of one, float32: a [1, h, w, 3] tensor.
 */
function peerInput(tf: PeerTf, png: Uint8Array): PeerTensor {
  return tf.tidy(() => tf.cast(tf.expandDims(tf.node.decodeImage(png, 3), 0), 'float32'));
}

/** Times a peer library's `detect` on the two pictures, each decoded once by its own TensorFlow.js, outside the timed calls. */
async function timePeer(tf: PeerTf, detect: (t: PeerTensor) => Promise<number>) {
  const out = await eachPhoto(async (png) => {
    const input = peerInput(tf, png);
    const faces = await detect(input);
    const times = await interleaved({ detect: () => detect(input) }, runs);
    const described = `[${input.shape.join(', ')}] ${input.dtype} tensor`;
    input.dispose();
    return { faces, input: described, ...timings(times['detect']) };
  });
  return { backend: tf.getBackend(), photos: out, maxRssMb: memoryMb() };
}

/** face-api.js (@vladmandic/face-api on tfjs-node): SSD-MobileNet v1, 68 landmarks and expressions, its weights from its package. */
async function faceApi() {
  interface FaceApiNode {
    tf: PeerTf & { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
    nets: Record<'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceExpressionNet', { loadFromDisk(dir: string): Promise<void> }>;
    SsdMobilenetv1Options: new (o: { minConfidence: number }) => unknown;
    detectAllFaces(input: PeerTensor, options: unknown): { withFaceLandmarks(): { withFaceExpressions(): Promise<unknown[]> } };
  }
  const require = createRequire(import.meta.url);
  const api = require('@vladmandic/face-api/dist/face-api.node.js') as FaceApiNode;
  await api.tf.setBackend('tensorflow');
  await api.tf.ready();
  const dir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  for (const net of ['ssdMobilenetv1', 'faceLandmark68Net', 'faceExpressionNet'] as const) await api.nets[net].loadFromDisk(dir);
  const options = new api.SsdMobilenetv1Options({ minConfidence: 0.5 });
  return timePeer(api.tf, async (t) => (await api.detectAllFaces(t, options).withFaceLandmarks().withFaceExpressions()).length);
}

/** human (@vladmandic/human on tfjs-node): BlazeFace and emotion only, no caching between calls, its weights from its package. */
async function human() {
  interface HumanNode {
    Human: new (config: object) => {
      tf: PeerTf;
      load(): Promise<void>;
      detect(input: PeerTensor): Promise<{ face: { emotion?: unknown[] }[]; error?: string | null }>;
    };
  }
  const require = createRequire(import.meta.url);
  const { Human } = require('@vladmandic/human') as HumanNode; // its Node build (dist/human.node.js), on tfjs-node
  const models = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
  const off = { enabled: false };
  const h = new Human({
    backend: 'tensorflow',
    modelBasePath: `file://${models}/`,
    debug: false,
    cacheSensitivity: 0,
    filter: off,
    segmentation: off,
    body: off,
    hand: off,
    object: off,
    gesture: off,
    face: {
      enabled: true,
      detector: { enabled: true, maxDetected: 20, skipFrames: 0, skipTime: 0, rotation: false },
      mesh: off,
      attention: off,
      iris: off,
      description: off,
      antispoof: off,
      liveness: off,
      gear: off,
      emotion: { enabled: true, skipFrames: 0, skipTime: 0 },
    },
  });
  await h.load();
  return timePeer(h.tf, async (t) => {
    const r = await h.detect(t);
    if (r.error) throw new Error(`human: ${r.error}`);
    return r.face.length;
  });
}

const modes: Record<string, () => Promise<unknown>> = { classify, pipeline, 'face-api': faceApi, human };
if (values.mode) {
  const mode = modes[values.mode];
  if (!mode) throw new Error(`unknown --mode ${values.mode}; one of ${Object.keys(modes).join(', ')}`);
  console.log(JSON.stringify(await mode()));
}
