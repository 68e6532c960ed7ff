/**
 * Every speed figure in one run, on the same inputs: emotion classification
 * (and the share of the engine's FLOP/s peak it reaches), the picture
 * pipeline per face detector with the time of each stage, face-api.js and
 * human on the same pictures and the ratios to them, the CLI's time per
 * picture, a clip of moving faces through `ferkit video`, the three emotion
 * models' accuracy, the browser webcam loop, training, peak memory and cold
 * start. Prints one table and writes it, with every raw figure, as JSON.
 * Not a test: it prints figures.
 *
 *   npm run bench [-- --json FILE] [--runs 21] [--cli-runs 5] [--cli-pictures 31] [--cold-runs 5] [--cold-disk-runs 3]
 *                 [--webcam-seconds 10] [--train-images 640] [--accuracy-limit N] [--only LIST]
 *
 * Sections (--only, comma-separated): classify, pipeline, peers, cli, video,
 * accuracy, onnx, webcam, train, cold-start. Each library runs in its own
 * process (bench/all-child.ts), so that none shares a TensorFlow.js engine
 * with another; the CLI and cold start are timed from spawn to exit.
 * Sections whose inputs are absent (the shared photos and FER2013, ffmpeg,
 * Chromium, Keras, the ONNX benchmark) are skipped with the reason in the
 * table.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuDescription, median, takeTurns } from './timing.js';
import { STAGES, type StageTimes } from './stages.js';
import { CLIP_PHOTOS, PHOTOS, photoPng } from './photos.js';
import { movingFacesVideo } from '../test/web-harness.js';
import { table } from '../src/entries/eval.js';
import { cpuFlags } from '../src/entries/models.js';

const SECTIONS = ['classify', 'pipeline', 'peers', 'cli', 'video', 'accuracy', 'onnx', 'webcam', 'train', 'cold-start'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    runs: { type: 'string' },
    'cli-runs': { type: 'string' },
    'cli-pictures': { type: 'string' },
    'cold-runs': { type: 'string' },
    'cold-disk-runs': { type: 'string' },
    'webcam-seconds': { type: 'string' },
    'train-images': { type: 'string' },
    'accuracy-limit': { type: 'string' },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs ?? 21);
const cliRuns = Number(values['cli-runs'] ?? 5);
const cliPictures = Number(values['cli-pictures'] ?? 31);
const coldRuns = Number(values['cold-runs'] ?? 5);
const coldDiskRuns = Number(values['cold-disk-runs'] ?? 3);
if (!(cliPictures >= 2)) throw new Error('--cli-pictures must be 2 or more: the marginal time is (t(N) - t(1)) / (N - 1)');
const only = new Set((values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
for (const s of only) if (!SECTIONS.includes(s as Section)) throw new Error(`unknown section "${s}" in --only; use ${SECTIONS.join(', ')}`);
const jsonFile = resolve(values.json ?? 'bench-results.json');

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const ROOT = join(HERE, '..', '..');
const CHILD = join(HERE, 'all-child.js');
const BIN = join(ROOT, 'bin', 'ferkit.js');
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

/** Spawns `ferkit ARGS` from the repository and waits for it to exit: its wall milliseconds and output (stdout dropped when `keepStdout` is false, as `> /dev/null`). */
function ferkit(args: string[], keepStdout = true): { ms: number; r: SpawnSyncReturns<string> } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: quiet,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: 1_800_000,
    stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw failure(r, `ferkit ${args.join(' ')}`);
  return { ms, r };
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
  input?: string;
  skipped?: string;
}
interface Peer {
  backend: string;
  photos: PhotoRun[];
  maxRssMb: number;
}
interface DetectorRun extends Timings {
  detector: string;
  faces: number;
  stages: StageTimes;
}
interface CliRow {
  detector: string;
  flags: string;
  /** How many times faster than human in process per picture the CLI is to be. */
  target: number;
  oneMs: number[];
  manyMs: number[];
  marginalMs: number;
}
interface VideoRow {
  detector: string;
  flags: string;
  /** The times real time to reach, if any. */
  target?: number;
  ms: number[];
  framesPerSecond: number;
  realTime: number;
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
    runtime: string;
    photos: { photo: string; file: string; skipped?: string; decode?: Timings; detectors?: DetectorRun[] }[];
    maxRssMb: number;
  };
  faceApi?: Peer;
  human?: Peer;
  cli?: { picture: string; pictures: number; runs: number; rows: CliRow[] };
  video?: {
    skipped?: string;
    clip?: { photos: number; frames: number; seconds: number; width: number; height: number; fps: number };
    runs?: number;
    rows?: VideoRow[];
  };
  accuracy?: { skipped?: string; faces?: number; usage?: string; models?: { name: string; accuracy: number; macroF1: number }[] };
  onnx?: { rows: { model: string; runtime: string; batch1P50Ms: number; batch64FacesPerSecond: number }[] };
  webcam?: { skipped?: string; seconds?: number; results?: { backend: string; fps: number; min: number; max: number; firstResult: number }[] };
  train?: { engine: string; images: number; ferkit: number[]; keras?: { version: string; imagesPerSecond: number[] }; kerasSkipped?: string; ratio?: number };
  coldStart?: {
    cliMs: number[];
    maxRssMb: number[];
    memoryBy: string;
    coldDisk: { ms?: number[]; maxRssMb?: number[]; skipped?: string };
    phases: { nodeStartMs: number; importMs: number; modelsMs: number; firstResultMs: number; totalMs: number; maxRssMb: number };
  };
}

const results: Results = {};
const errors: Partial<Record<Section, string>> = {};
const skipped: Partial<Record<Section, string>> = {};

async function section(name: Section, f: () => void | Promise<void>): Promise<void> {
  if (!only.has(name)) return;
  const t0 = performance.now();
  process.stderr.write(`${name}... `);
  try {
    await f();
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  } catch (err) {
    errors[name] = (err as Error).message;
    process.stderr.write(`failed: ${errors[name]}\n`);
  }
}

console.log(
  `ferkit: every measurement in one run; CPU: ${cpuDescription()}; ${runs} timed calls per configuration (medians; p99 is the slowest call when there are fewer than 100)`,
);
await section('classify', () => {
  results.classify = child('classify');
});
await section('pipeline', () => {
  results.pipeline = child('pipeline');
});
await section('peers', () => {
  // face-api's SSD-MobileNet faults in TensorFlow's oneDNN kernels on some CPUs: its engine runs with TensorFlow's own
  results.faceApi = child('face-api', { ...quiet, TF_ENABLE_ONEDNN_OPTS: '0' });
  results.human = child('human');
});

/** The two ways the CLI and the video are run: the default detector (auto) and the fast one. */
const DETECTOR_FLAGS = [
  { detector: 'default detector (auto)', flags: [] as string[], cliTarget: 2, videoTarget: 4 },
  { detector: 'fast detector', flags: ['--detector', 'fast'], cliTarget: 3, videoTarget: undefined },
];

await section('cli', async () => {
  // N copies of the one-face 640x480 picture against one: what each further picture costs, start-up and models aside
  const png = await photoPng(PHOTOS[0].file);
  if (!png) throw new Error(`${PHOTOS[0].file} is absent`);
  const dirs = new Map<number, string>();
  for (const n of [1, cliPictures]) {
    const dir = join(tmp, `cli-${n}`);
    mkdirSync(dir);
    for (let i = 0; i < n; i++) writeFileSync(join(dir, `picture-${String(i).padStart(3, '0')}.png`), png);
    dirs.set(n, dir);
  }
  const predict = (n: number, flags: string[]) => () => {
    const { ms, r } = ferkit(['predict', dirs.get(n)!, '--json', ...flags]);
    const lines = r.stdout.trim().split('\n');
    const withFaces = lines.filter((l) => (JSON.parse(l) as { faces: unknown[] }).faces.length > 0).length;
    if (lines.length !== n || withFaces !== n)
      throw new Error(`ferkit predict ${flags.join(' ')} answered ${lines.length} of ${n} pictures, ${withFaces} with a face`);
    return ms;
  };
  const tasks: Record<string, () => number> = {};
  for (const d of DETECTOR_FLAGS) for (const n of [1, cliPictures]) tasks[`${d.detector}:${n}`] = predict(n, d.flags);
  const times = takeTurns(tasks, cliRuns);
  results.cli = {
    picture: `${PHOTOS[0].file}, resized to 640x480, as PNG`,
    pictures: cliPictures,
    runs: cliRuns,
    rows: DETECTOR_FLAGS.map((d) => {
      const oneMs = times[`${d.detector}:1`];
      const manyMs = times[`${d.detector}:${cliPictures}`];
      return {
        detector: d.detector,
        flags: d.flags.join(' '),
        target: d.cliTarget,
        oneMs,
        manyMs,
        marginalMs: (median(manyMs) - median(oneMs)) / (cliPictures - 1),
      };
    }),
  };
});

/** Frames, sides and rate of a video's first stream by ffprobe, or undefined without it. */
function probe(file: string): { frames: number; width: number; height: number; fps: number } | undefined {
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets,width,height,r_frame_rate', '-of', 'json', file],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return undefined;
  const s = (JSON.parse(r.stdout) as { streams: { nb_read_packets: string; width: number; height: number; r_frame_rate: string }[] }).streams[0];
  const [num, den] = s.r_frame_rate.split('/').map(Number);
  return { frames: Number(s.nb_read_packets), width: s.width, height: s.height, fps: num / (den || 1) };
}

await section('video', () => {
  const absent = CLIP_PHOTOS.filter((f) => !existsSync(f));
  const reason =
    spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0
      ? 'needs ffmpeg on the PATH; absent here'
      : absent.length
        ? `needs the shared photos (../shared/data/photos/faceapi-examples); ${absent.length} of ${CLIP_PHOTOS.length} absent, e.g. ${absent[0]}`
        : undefined;
  if (reason) {
    skipped.video = reason;
    results.video = { skipped: reason };
    return;
  }
  // each photo fitted into the frame, zoomed and panned for 1.5 s (test/web-harness.ts, as the webcam benchmark's camera): faces move in every frame
  const fps = 30;
  const secondsEach = 1.5;
  const clip = movingFacesVideo(join(tmp, 'moving-faces.mp4'), CLIP_PHOTOS, fps, secondsEach);
  const probed = probe(clip) ?? { frames: CLIP_PHOTOS.length * Math.round(fps * secondsEach), width: 640, height: 480, fps };
  const seconds = probed.frames / probed.fps;
  const tasks = Object.fromEntries(
    DETECTOR_FLAGS.map((d) => [d.detector, () => ferkit(['video', clip, '--fps', String(fps), '--json', ...d.flags], false).ms]),
  );
  const times = takeTurns(tasks, cliRuns);
  results.video = {
    clip: { photos: CLIP_PHOTOS.length, ...probed, seconds },
    runs: cliRuns,
    rows: DETECTOR_FLAGS.map((d) => {
      const wall = median(times[d.detector]) / 1000;
      return {
        detector: d.detector,
        flags: d.flags.join(' '),
        ...(d.videoTarget ? { target: d.videoTarget } : {}),
        ms: times[d.detector],
        framesPerSecond: probed.frames / wall,
        realTime: seconds / wall,
      };
    }),
  };
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

const TIME = '/usr/bin/time';
/** How a child's peak memory is read: GNU time's %M where it is installed, else a hook the child runs as it exits. */
const memoryBy = existsSync(TIME) ? `${TIME} -f %M` : "process.resourceUsage().maxRSS in the child's exit (node --import)";
const RSS_HOOK = `data:text/javascript,${encodeURIComponent('process.on("exit", () => process.stderr.write(`\\nferkit-maxrss-kb ${process.resourceUsage().maxRSS}\\n`));')}`;

/** `ferkit predict astronaut.jpg` from spawn to exit: its milliseconds and its peak memory. */
function coldPredict(): { ms: number; maxRssMb: number } {
  const cli = [BIN, 'predict', PHOTOS[0].file];
  const [cmd, args] = existsSync(TIME) ? [TIME, ['-f', 'ferkit-maxrss-kb %M', process.execPath, ...cli]] : [process.execPath, ['--import', RSS_HOOK, ...cli]];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env: quiet, encoding: 'utf8', timeout: 600_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw failure(r, 'ferkit predict');
  const kb = /ferkit-maxrss-kb (\d+)/.exec(r.stderr)?.[1];
  if (!kb) throw new Error(`no peak memory in the output of ${cmd}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`);
  return { ms, maxRssMb: Number(kb) / 1024 };
}

/** Empties the kernel's page cache (root only), so that the next start reads every file from disk; the reason when it cannot. */
function dropCaches(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to drop the page cache (sync; echo 3 > /proc/sys/vm/drop_caches); not root here';
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return undefined;
  } catch (err) {
    return `could not drop the page cache as root (${(err as Error).message}); a container may hold /proc/sys read-only`;
  }
}

await section('cold-start', () => {
  const warm = Array.from({ length: coldRuns }, coldPredict);
  const coldDisk: { ms?: number[]; maxRssMb?: number[]; skipped?: string } = {};
  if (coldDiskRuns <= 0) coldDisk.skipped = 'not measured (--cold-disk-runs 0)';
  else {
    const runsCold: { ms: number; maxRssMb: number }[] = [];
    for (let i = 0; i < coldDiskRuns && !coldDisk.skipped; i++) {
      coldDisk.skipped = dropCaches();
      if (!coldDisk.skipped) runsCold.push(coldPredict());
    }
    if (!coldDisk.skipped) Object.assign(coldDisk, { ms: runsCold.map((x) => x.ms), maxRssMb: runsCold.map((x) => x.maxRssMb) });
  }
  const phases = Array.from({ length: Math.max(1, Math.min(3, coldRuns)) }, () => {
    const r = run([join(HERE, 'cold-start.js')]);
    const line = r.stdout.trim().split('\n').pop();
    if (r.status !== 0 || !line?.startsWith('{')) throw failure(r, 'bench/cold-start');
    return JSON.parse(line) as Record<string, number>;
  });
  const med = (k: string) => median(phases.map((p) => p[k]));
  results.coldStart = {
    cliMs: warm.map((x) => x.ms),
    maxRssMb: warm.map((x) => x.maxRssMb),
    memoryBy,
    coldDisk,
    phases: {
      nodeStartMs: med('nodeStartMs'),
      importMs: med('importMs'),
      modelsMs: med('modelsMs'),
      firstResultMs: med('firstResultMs'),
      totalMs: med('totalMs'),
      maxRssMb: med('maxRssMb'),
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
const pipelineRun = (photo: string, detector: string) =>
  results.pipeline?.photos.find((p) => p.photo === photo)?.detectors?.find((d) => d.detector === detector);
for (const p of results.pipeline?.photos ?? []) {
  if (p.skipped) rows.push([`ferkit pipeline, ${p.photo}`, 'skipped', p.skipped]);
  for (const d of p.detectors ?? [])
    rows.push([
      `ferkit pipeline (${d.detector}), ${p.photo} 640x480`,
      `${rate(d.perSecond)} pictures/s`,
      `p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, ${d.faces} face${d.faces === 1 ? '' : 's'} found; decoded picture in process, ${results.pipeline!.runtime}`,
    ]);
}
for (const p of results.pipeline?.photos ?? []) {
  if (!p.decode) continue;
  rows.push([
    `ferkit decode (sharp, loadRgb), ${p.photo} 640x480 PNG`,
    `${ms(p.decode.p50)} ms p50`,
    `p99 ${ms(p.decode.p99)} ms; timed in turn with the calls below`,
  ]);
  for (const d of p.detectors ?? [])
    rows.push([
      `ferkit stages (${d.detector}), ${p.photo}`,
      `${ms(p.decode.p50 + d.p50)} ms`,
      `decode ${ms(p.decode.p50)} + ${[...STAGES, 'other' as const].map((s) => `${s} ${ms(d.stages[s])}`).join(' + ')} ms; median of each stage's sum per call, ${d.calls} calls`,
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
        `p50 ${ms(p.p50!)} ms, p99 ${ms(p.p99!)} ms, ${p.faces} face${p.faces === 1 ? '' : 's'} found; given a ${p.input ?? 'decoded tensor'}, ${peer!.backend}`,
      ]);
  }
}
/** Whether a figure meets its target, for the detail column. */
const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
for (const [peerName, peer, targets] of [
  ['human', results.human, { auto1: 3, fast1: 5, auto6: 3 }],
  ['face-api.js', results.faceApi, undefined],
] as const) {
  for (const [detector, photo, target] of [
    ['auto', 'one face', targets?.auto1],
    ['fast', 'one face', targets?.fast1],
    ['auto', 'six faces', targets?.auto6],
  ] as const) {
    const ours = pipelineRun(photo, detector);
    const theirs = peer?.photos.find((p) => p.photo === photo);
    if (!ours?.p50 || !theirs?.p50) continue;
    const x = theirs.p50 / ours.p50;
    rows.push([
      `ferkit (${detector}) vs ${peerName}, ${photo}`,
      x >= 1 ? `${x.toFixed(2)}x faster` : `${x.toFixed(2)}x (slower)`,
      `${target === undefined ? 'for information' : `target ≥ ${target}x: ${verdict(x >= target)}`}; p50 ${ms(ours.p50)} vs ${ms(theirs.p50)} ms, decoded picture in process`,
    ]);
  }
}
note('cli', 'CLI time per picture');
const humanOne = results.human?.photos.find((p) => p.photo === 'one face')?.p50;
for (const r of results.cli?.rows ?? []) {
  const n = results.cli!.pictures;
  rows.push([
    `CLI time per picture, ${r.detector}`,
    `${ms(r.marginalMs)} ms`,
    `\`ferkit predict DIR --json${r.flags ? ` ${r.flags}` : ''}\`, (t${n} - t1) / ${n - 1}: medians ${(median(r.manyMs) / 1000).toFixed(2)} s for ${n} copies and ${(median(r.oneMs) / 1000).toFixed(2)} s for 1 of the one-face 640x480 PNG, ${r.oneMs.length} runs each, spawn to exit`,
  ]);
  if (humanOne === undefined) rows.push([`human in process vs CLI per picture, ${r.detector}`, 'skipped', 'needs the peers section (human) in the same run']);
  else if (!(r.marginalMs > 0))
    rows.push([
      `human in process vs CLI per picture, ${r.detector}`,
      'not measured',
      `the runs on ${n} pictures were not slower than those on 1 (a busy machine?); raise --cli-runs or --cli-pictures`,
    ]);
  else
    rows.push([
      `human in process vs CLI per picture, ${r.detector}`,
      `${(humanOne / r.marginalMs).toFixed(2)}x`,
      `target ≥ ${r.target}x: ${verdict(humanOne / r.marginalMs >= r.target)}; human ${ms(humanOne)} ms p50 on the decoded one-face picture vs ${ms(r.marginalMs)} ms per picture through the CLI (decode and output included)`,
    ]);
}
note('video', 'video, moving faces');
const vc = results.video?.clip;
for (const r of results.video?.rows ?? [])
  rows.push([
    `video of moving faces, ${r.detector}, tracking`,
    `${rate(r.framesPerSecond)} frames/s`,
    `${r.realTime.toFixed(1)}x real time (${r.target ? `target ≥ ${r.target}x: ${verdict(r.realTime >= r.target)}` : 'for information'}); \`ferkit video CLIP --fps 30 --json${r.flags ? ` ${r.flags}` : ''} > /dev/null\`; ${vc!.frames} frames, ${vc!.seconds.toFixed(1)} s at ${vc!.width}x${vc!.height} ${vc!.fps} fps: ${vc!.photos} photos of one to six faces, each panned and zoomed for 1.5 s; spawn to exit (start-up included), median of ${r.ms.length}`,
  ]);
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
  const cold = median(cs.cliMs) / 1000;
  rows.push([
    'cold start, `ferkit predict astronaut.jpg`',
    `${cold.toFixed(2)} s`,
    `target < 1 s: ${verdict(cold < 1)}; spawn to exit, median of ${cs.cliMs.length} (files in the page cache)`,
  ]);
  const peak = Math.max(...cs.maxRssMb);
  rows.push([
    'peak memory, `ferkit predict astronaut.jpg`',
    `${peak.toFixed(0)} MB`,
    `target < 400 MB: ${verdict(peak < 400)}; the child's maxRSS by ${cs.memoryBy}, largest of ${cs.maxRssMb.length} runs (median ${median(cs.maxRssMb).toFixed(0)} MB)`,
  ]);
  if (cs.coldDisk.ms)
    rows.push([
      'cold start, disk cache dropped',
      `${(median(cs.coldDisk.ms) / 1000).toFixed(2)} s`,
      `sync; echo 3 > /proc/sys/vm/drop_caches before each run; median of ${cs.coldDisk.ms.length}, peak memory ${Math.max(...cs.coldDisk.maxRssMb!).toFixed(0)} MB`,
    ]);
  else rows.push(['cold start, disk cache dropped', 'skipped', cs.coldDisk.skipped ?? '']);
  const p = cs.phases;
  rows.push([
    'cold start phases (library call)',
    `${(p.totalMs / 1000).toFixed(2)} s`,
    `Node ${ms(p.nodeStartMs)} + import of the recognizer ${ms(p.importMs)} + models ${ms(p.modelsMs)} + first result ${ms(p.firstResultMs)} ms; bench/cold-start.ts, median of 3, ${p.maxRssMb.toFixed(0)} MB peak`,
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
