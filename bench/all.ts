/**
 * Every speed figure in one run, on the same inputs: emotion classification
 * (and the share of the engine's FLOP/s peak it reaches), the picture
 * pipeline per face detector, face-api.js and human on the same pictures,
 * the three emotion models' accuracy, the browser webcam loop, training,
 * peak memory and cold start. Prints one table and writes it, with every
 * raw figure, as JSON. Not a test: it prints figures.
 *
 *   npm run bench [-- --json FILE] [--runs 21] [--cold-runs 5] [--webcam-seconds 10] [--train-images 640] [--accuracy-limit N] [--only LIST]
 *
 * Each library runs in its own process (bench/all-child.ts), so that none
 * shares a TensorFlow.js engine with another. Sections whose inputs are
 * absent (the shared photos and FER2013, Chromium, Keras, the ONNX
 * benchmark) are skipped with the reason in the table.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { table } from '../src/eval/format.js';
import { cpuDescription, median } from './timing.js';
import { cpuFlags } from '../src/node/engine.js';

const SECTIONS = ['classify', 'pipeline', 'peers', 'accuracy', 'onnx', 'webcam', 'train', 'cold-start'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    runs: { type: 'string' },
    'cold-runs': { type: 'string' },
    'webcam-seconds': { type: 'string' },
    'train-images': { type: 'string' },
    'accuracy-limit': { type: 'string' },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs ?? 21);
const coldRuns = Number(values['cold-runs'] ?? 5);
const only = new Set((values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
for (const s of only) if (!SECTIONS.includes(s as Section)) throw new Error(`unknown section "${s}" in --only; use ${SECTIONS.join(', ')}`);
const jsonFile = resolve(values.json ?? 'bench-results.json');

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const ROOT = join(HERE, '..', '..');
const CHILD = join(HERE, 'all-child.js');
const tmp = mkdtempSync(join(os.tmpdir(), 'ferkit-bench-'));
const quiet = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' };

/** The CPU's vector and matrix instruction flags that matter for these kernels. */
function vectorFlags(): string[] {
  return cpuFlags()
    .trim()
    .split(/\s+/)
    .filter((f) => /^(sse4_2|avx|avx2|fma|f16c|avx512.*|avx_vnni|amx.*)$/.test(f));
}

function run(args: string[], env: NodeJS.ProcessEnv = quiet, timeoutMs = 1_800_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 26, timeout: timeoutMs });
}

function failure(r: SpawnSyncReturns<string>, what: string): Error {
  return new Error(`${what} failed (${r.signal ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
}

/** Runs a measurement in a child process and returns the JSON on its last line. */
function child<T>(mode: string, env: NodeJS.ProcessEnv = quiet): T {
  const r = run([CHILD, '--mode', mode, '--runs', String(runs)], env);
  const line = r.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) throw failure(r, mode);
  return JSON.parse(line) as T;
}

/** Runs another benchmark with `--json FILE` and returns what it wrote. */
function benchJson<T>(script: string, args: string[], env: NodeJS.ProcessEnv = quiet): T {
  const file = join(tmp, `${script}.json`);
  const r = run([join(HERE, `${script}.js`), ...args, '--json', file], env);
  if (r.status !== 0 || !existsSync(file)) throw failure(r, `bench/${script}`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

interface Timings {
  p50: number;
  p99: number;
  perSecond: number;
  calls: number;
}
interface PhotoRun extends Partial<Timings> {
  photo: string;
  file: string;
  faces?: number;
  skipped?: string;
}
interface Peer {
  backend: string;
  photos: PhotoRun[];
  maxRssMb: number;
}
interface Results {
  classify?: {
    engine: string;
    architecture: string;
    batch1: Timings;
    batch64: Timings & { facesPerSecond: number };
    flopsPerFace: number;
    peak: { gflops: number; matmulSize: number };
    shareOfPeak: number;
  };
  pipeline?: {
    engine: string;
    photos: { photo: string; file: string; skipped?: string; detectors?: ({ detector: string; faces: number } & Timings)[] }[];
    maxRssMb: number;
  };
  faceApi?: Peer;
  human?: Peer;
  accuracy?: { skipped?: string; faces?: number; usage?: string; models?: { name: string; accuracy: number; macroF1: number }[] };
  onnx?: { rows: { model: string; runtime: string; batch1P50Ms: number; batch64FacesPerSecond: number }[] };
  webcam?: { skipped?: string; seconds?: number; results?: { backend: string; fps: number; min: number; max: number; firstResult: number }[] };
  train?: { engine: string; images: number; ferkit: number[]; keras?: { version: string; imagesPerSecond: number[] }; kerasSkipped?: string; ratio?: number };
  coldStart?: {
    cliMs: number[];
    phases: { nodeStartMs: number; importMs: number; engineMs: number; modelsMs: number; firstResultMs: number; totalMs: number };
  };
}

const results: Results = {};
const errors: Partial<Record<Section, string>> = {};
const skipped: Partial<Record<Section, string>> = {};

async function section(name: Section, f: () => void): Promise<void> {
  if (!only.has(name)) return;
  const t0 = performance.now();
  process.stderr.write(`${name}... `);
  try {
    f();
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  } catch (err) {
    errors[name] = (err as Error).message;
    process.stderr.write(`failed: ${errors[name]}\n`);
  }
}

console.log(
  `ferkit: every measurement in one run; CPU: ${cpuDescription()}; ${runs} timed calls per configuration (medians; p99 is the slowest call when there are fewer than 100)`,
);
await section('classify', () => (results.classify = child('classify')));
await section('pipeline', () => (results.pipeline = child('pipeline')));
await section('peers', () => {
  // face-api's SSD-MobileNet faults in TensorFlow's oneDNN kernels on some CPUs: its engine runs with TensorFlow's own, as ferkit's does
  results.faceApi = child('face-api', { ...quiet, TF_ENABLE_ONEDNN_OPTS: '0' });
  results.human = child('human');
});
await section('accuracy', () => {
  const limit = values['accuracy-limit'] ? ['--limit', values['accuracy-limit']] : [];
  results.accuracy = benchJson('libraries', ['--runs', '3', ...limit]);
  if (results.accuracy?.skipped) skipped.accuracy = results.accuracy.skipped;
});
await section('onnx', () => {
  if (!existsSync(join(HERE, 'onnx.js'))) skipped.onnx = 'bench/onnx.ts (ONNX Runtime) is not part of this version';
  else results.onnx = benchJson('onnx', ['--models', 'default', '--rounds', '3']);
});
await section('webcam', () => {
  results.webcam = benchJson('webcam', [], { ...quiet, FERKIT_BENCH_SECONDS: values['webcam-seconds'] ?? '10' });
  if (results.webcam?.skipped) skipped.webcam = results.webcam.skipped;
});
await section('train', () => {
  results.train = benchJson('train-speed', ['--images', values['train-images'] ?? '640', '--epochs', '3', '--rounds', '1']);
});
await section('cold-start', () => {
  const cliMs: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const t0 = performance.now();
    const r = run([join(ROOT, 'bin', 'ferkit.js'), 'predict', join(ROOT, 'docs', 'images', 'astronaut.jpg')]);
    if (r.status !== 0) throw failure(r, 'ferkit predict');
    cliMs.push(performance.now() - t0);
  }
  const phases = Array.from({ length: Math.max(1, Math.min(3, coldRuns)) }, () => child<Record<string, number>>('cold-start'));
  const med = (k: string) => median(phases.map((p) => p[k]));
  results.coldStart = {
    cliMs,
    phases: {
      nodeStartMs: med('nodeStartMs'),
      importMs: med('importMs'),
      engineMs: med('engineMs'),
      modelsMs: med('modelsMs'),
      firstResultMs: med('firstResultMs'),
      totalMs: med('totalMs'),
    },
  };
});
rmSync(tmp, { recursive: true, force: true });

// ---- the table ----
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const rows: string[][] = [['measurement', 'result', 'detail']];
const note = (name: Section, label: string) => {
  if (errors[name]) rows.push([label, 'failed', errors[name]!]);
  else if (skipped[name]) rows.push([label, 'skipped', skipped[name]!]);
};

const c = results.classify;
note('classify', 'emotion classification');
if (c) {
  rows.push([`classification, batch 1 (${c.architecture}, ${c.engine})`, `${ms(c.batch1.p50)} ms p50`, `p99 ${ms(c.batch1.p99)} ms, ${c.batch1.calls} calls`]);
  rows.push([`classification, batch 64`, `${rate(c.batch64.facesPerSecond)} faces/s`, `${ms(c.batch64.p50)} ms per batch p50, p99 ${ms(c.batch64.p99)} ms`]);
  rows.push(['TensorFlow.js matMul (all cores)', `${c.peak.gflops.toFixed(1)} GFLOP/s`, `${c.peak.matmulSize}x${c.peak.matmulSize} product, 2n³/t, median`]);
  rows.push([
    'classification FLOP/s against that matMul',
    pct(c.shareOfPeak),
    `${(c.flopsPerFace / 1e6).toFixed(0)} MFLOP/face × faces/s ÷ matMul${c.shareOfPeak > 1 ? "; over 100%: the classifier's kernels beat TensorFlow.js's matMul, which is then no peak" : ''}`,
  ]);
}
note('pipeline', 'ferkit pipeline');
const pipelineRate = (photo: string, detector: string) =>
  results.pipeline?.photos.find((p) => p.photo === photo)?.detectors?.find((d) => d.detector === detector);
for (const p of results.pipeline?.photos ?? []) {
  if (p.skipped) rows.push([`ferkit pipeline, ${p.photo}`, 'skipped', p.skipped]);
  for (const d of p.detectors ?? [])
    rows.push([
      `ferkit pipeline (${d.detector}), ${p.photo} 640x480`,
      `${rate(d.perSecond)} pictures/s`,
      `p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, ${d.faces} face${d.faces === 1 ? '' : 's'} found`,
    ]);
}
note('peers', 'face-api.js and human');
for (const [name, peer] of [
  ['face-api.js (SSD-MobileNet + landmarks + expressions)', results.faceApi],
  ['human (BlazeFace + emotion)', results.human],
] as const) {
  for (const p of peer?.photos ?? []) {
    if (p.skipped) rows.push([`${name}, ${p.photo}`, 'skipped', p.skipped]);
    else
      rows.push([
        `${name}, ${p.photo}`,
        `${rate(p.perSecond!)} pictures/s`,
        `p50 ${ms(p.p50!)} ms, p99 ${ms(p.p99!)} ms, ${p.faces} face${p.faces === 1 ? '' : 's'} found, ${peer!.backend}`,
      ]);
  }
}
const ferkitOne = pipelineRate('one face', 'auto');
for (const [name, peer, target] of [
  ['human', results.human, 3],
  ['face-api.js', results.faceApi, 10],
] as const) {
  const theirs = peer?.photos.find((p) => p.photo === 'one face');
  if (ferkitOne && theirs?.p50)
    rows.push([
      `ferkit (auto) vs ${name}, one face`,
      `${(theirs.p50 / ferkitOne.p50).toFixed(2)}x faster`,
      `target ≥ ${target}x; p50 ${ms(ferkitOne.p50)} vs ${ms(theirs.p50)} ms`,
    ]);
}
note('accuracy', 'emotion accuracy');
for (const m of results.accuracy?.models ?? [])
  rows.push([
    `accuracy on FER2013 ${results.accuracy!.usage}: ${m.name}`,
    pct(m.accuracy),
    `macro-F1 ${m.macroF1.toFixed(3)}, ${results.accuracy!.faces} faces`,
  ]);
note('onnx', 'classification vs ONNX Runtime');
const ort = results.onnx?.rows.find((r) => r.model === 'default' && /onnx/i.test(r.runtime));
if (c && ort)
  rows.push([
    'classification vs ONNX Runtime, batch 64',
    pct(c.batch64.facesPerSecond / ort.batch64FacesPerSecond),
    `target ≥ 90%; ${rate(c.batch64.facesPerSecond)} vs ${rate(ort.batch64FacesPerSecond)} faces/s (ONNX Runtime measured in its own child)`,
  ]);
note('webcam', 'webcam loop in headless Chromium');
for (const w of results.webcam?.results ?? [])
  rows.push([
    `webcam loop, headless Chromium (${w.backend})`,
    `${w.fps.toFixed(1)} frames/s`,
    `median of ${results.webcam!.seconds} one-second samples (min ${w.min.toFixed(1)}, max ${w.max.toFixed(1)}); first result ${(w.firstResult / 1000).toFixed(1)} s`,
  ]);
note('train', 'training');
const t = results.train;
if (t) {
  rows.push(['training, paper CNN, batch 32', `${rate(median(t.ferkit))} images/s`, `${t.images} synthetic images, ${t.engine}`]);
  if (t.keras && t.ratio !== undefined)
    rows.push(['training vs Keras', `${t.ratio.toFixed(2)}x`, `target ≥ 1.0x; Keras ${rate(median(t.keras.imagesPerSecond))} images/s, ${t.keras.version}`]);
  else rows.push(['training vs Keras', 'skipped', t.kerasSkipped ?? '']);
}
if (results.pipeline) rows.push(['peak memory, pipeline process', `${results.pipeline.maxRssMb.toFixed(0)} MB`, 'maxRSS, three detectors loaded']);
if (results.faceApi && results.human)
  rows.push(['peak memory, face-api.js / human processes', `${results.faceApi.maxRssMb.toFixed(0)} / ${results.human.maxRssMb.toFixed(0)} MB`, 'maxRSS']);
note('cold-start', 'cold start');
const cs = results.coldStart;
if (cs) {
  rows.push([
    'cold start, `ferkit predict astronaut.jpg`',
    `${(median(cs.cliMs) / 1000).toFixed(2)} s`,
    `target < 1 s; spawn to exit, median of ${cs.cliMs.length}`,
  ]);
  const p = cs.phases;
  rows.push([
    'cold start phases (library call)',
    `${(p.totalMs / 1000).toFixed(2)} s`,
    `Node ${ms(p.nodeStartMs)} + imports ${ms(p.importMs)} + engine ${ms(p.engineMs)} + models ${ms(p.modelsMs)} + first result ${ms(p.firstResultMs)} ms`,
  ]);
}
const flags = vectorFlags();
rows.push(['CPU', cpuDescription(), `flags: ${flags.join(' ') || 'unknown'}`]);

console.log(`\n${table(rows, false)}`);
const out = {
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  cpu: cpuDescription(),
  cpuFlags: flags,
  node: process.version,
  runs,
  table: rows,
  results,
  skipped,
  errors,
};
writeFileSync(jsonFile, JSON.stringify(out, null, 2) + '\n');
console.log(`\nwrote ${jsonFile}`);
if (Object.keys(errors).length) process.exitCode = 1;
