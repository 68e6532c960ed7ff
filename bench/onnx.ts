/**
 * The emotion model on TensorFlow.js (the native engine, as ferkit sets it
 * up) against ONNX Runtime (onnxruntime-node, CPU), model by model: every
 * bundled model, and every other registry architecture with untrained
 * weights (speed does not depend on the weights' values). Batch 1 latency
 * (p50, p99) and batch 64 throughput, both through ferkit's classify path
 * (grey bytes in, calibrated probabilities out). The two runtimes take
 * turns in interleaved rounds so that a busy machine slows both alike.
 * Not a test: it prints figures.
 *
 *   npm run bench:onnx [-- --rounds 5] [--models default,paper,xception] [--json FILE] [--wasm]
 *
 * With --wasm, the two WebAssembly engines a browser page can use, run here
 * in Node on one thread each: TensorFlow.js's wasm backend against
 * onnxruntime-web.
 */
import { parseArgs } from 'node:util';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { cpuDescription } from './timing.js';
import {
  initEngine,
  loadModel,
  onnxBytes,
  onnxClassifier,
  listArchitectures,
  classifierProbabilities,
  tfjsClassifier,
  type Classifier,
  type ModelMetadata,
  PIXELS_PER_IMAGE,
} from '../src/entries/models.js';
import { bundledModelsDir, readMetadata, sessionClassifier, plainModelMetadata } from '../src/entries/models.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, models: { type: 'string' }, json: { type: 'string' }, wasm: { type: 'boolean' } } });
const rounds = Number(values.rounds ?? 5);
/** Per round and runtime: batch-1 calls and batch-64 calls. */
const CALLS_1 = 20;
const CALLS_64 = 3;

// one WebAssembly thread, as on a page that is not cross-origin isolated
if (values.wasm) (await import('@tensorflow/tfjs-backend-wasm')).setThreadsCount(1);
const engine = await initEngine(values.wasm ? 'wasm' : undefined);

/** The ONNX Runtime classifier: onnxruntime-node, or with --wasm onnxruntime-web's WebAssembly engine on one thread. */
async function onnxRuntime(model: tf.LayersModel, meta: ModelMetadata): Promise<Classifier> {
  const bytes = onnxBytes(model, meta);
  if (!values.wasm) return onnxClassifier(bytes);
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  return sessionClassifier(await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }), ort.Tensor);
}
const bundled = readdirSync(bundledModelsDir()).filter((d) => existsSync(join(bundledModelsDir(), d, 'model.json')));

interface Candidate {
  name: string;
  load(): Promise<{ model: tf.LayersModel; meta: ModelMetadata }>;
}
const bundledArchitectures = new Set(bundled.map((name) => readMetadata(join(bundledModelsDir(), name)).architecture));
const candidates: Candidate[] = [
  ...bundled.map((name) => ({ name, load: () => loadModel(name) })),
  // registry architectures no bundled model uses, with untrained weights
  ...listArchitectures()
    .filter((a) => !bundledArchitectures.has(a.name))
    .map((a) => ({
      name: `${a.name} (untrained)`,
      load: async () => ({ model: a.build({ seed: 1, numClasses: 7, inputSize: 48 }), meta: { ...plainModelMetadata(), architecture: a.name } }),
    })),
];
const wanted = values.models?.split(',').map((s) => s.trim());

function quantile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
const median = (xs: readonly number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const crops = new Uint8Array(64 * PIXELS_PER_IMAGE).map((_, i) => (i * 7 + (i >> 11) * 13) % 256);
const one = crops.subarray(0, PIXELS_PER_IMAGE);

interface Row {
  model: string;
  architecture: string;
  parameters: number;
  runtime: string;
  batch1P50Ms: number;
  batch1P99Ms: number;
  batch64FacesPerSecond: number;
}
const rows: Row[] = [];
console.log(
  `emotion model: TensorFlow.js (${engine.backend}${values.wasm ? ', 1 thread' : ''}) against ONNX Runtime (${values.wasm ? 'onnxruntime-web, WebAssembly, 1 thread' : 'onnxruntime-node, CPU'}); CPU: ${cpuDescription()}`,
);
console.log(`${rounds} interleaved rounds; per round and runtime ${CALLS_1} calls at batch 1 and ${CALLS_64} at batch 64; medians over all calls\n`);
for (const c of candidates) {
  if (wanted && !wanted.some((w) => c.name.startsWith(w))) continue;
  const { model, meta } = await c.load();
  const parameters = model.countParams();
  const runtimes: Classifier[] = [await onnxRuntime(model, meta), tfjsClassifier(model)];
  const b1 = new Map<string, number[]>(runtimes.map((r) => [r.runtime, []]));
  const b64 = new Map<string, number[]>(runtimes.map((r) => [r.runtime, []]));
  for (const r of runtimes) {
    // warm-up: first calls allocate and plan
    for (let i = 0; i < 3; i++) await classifierProbabilities(r, meta, one);
    await classifierProbabilities(r, meta, crops, { batchSize: 64 });
  }
  for (let round = 0; round < rounds; round++) {
    for (const r of round % 2 ? [...runtimes].reverse() : runtimes) {
      for (let i = 0; i < CALLS_1; i++) b1.get(r.runtime)!.push(await timed(() => classifierProbabilities(r, meta, one)));
      for (let i = 0; i < CALLS_64; i++)
        b64.get(r.runtime)!.push((64 * 1000) / (await timed(() => classifierProbabilities(r, meta, crops, { batchSize: 64 }))));
    }
  }
  for (const r of runtimes) {
    const s = [...b1.get(r.runtime)!].sort((a, b) => a - b);
    rows.push({
      model: c.name,
      architecture: meta.architecture,
      parameters,
      runtime: r.runtime,
      batch1P50Ms: quantile(s, 0.5),
      batch1P99Ms: quantile(s, 0.99),
      batch64FacesPerSecond: median(b64.get(r.runtime)!),
    });
    r.dispose();
  }
  const [o, t] = rows.slice(-2);
  console.log(
    `${c.name.padEnd(22)} ${meta.architecture.padEnd(9)} ${(parameters / 1e6).toFixed(2).padStart(5)}M params | batch 1 p50/p99 ms: tfjs ${t.batch1P50Ms.toFixed(2)}/${t.batch1P99Ms.toFixed(2)}, ONNX Runtime ${o.batch1P50Ms.toFixed(2)}/${o.batch1P99Ms.toFixed(2)} (${(t.batch1P50Ms / o.batch1P50Ms).toFixed(2)}x) | batch 64 faces/s: tfjs ${Math.round(t.batch64FacesPerSecond)}, ONNX Runtime ${Math.round(o.batch64FacesPerSecond)} (${(o.batch64FacesPerSecond / t.batch64FacesPerSecond).toFixed(2)}x)`,
  );
}
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ cpu: cpuDescription(), engine: engine.backend, rounds, rows }, null, 2) + '\n');
  console.log(`\nwrote ${values.json}`);
}
