/**
 * No lost work: `ferkit train` killed (SIGKILL) at seeded random moments,
 * then resumed, again and again, ends with the weights of the run that was
 * never interrupted, and a loadable model folder appears only once the run
 * is complete. Slow (a minute or more): `npm run test:kill` runs it; plain
 * `npm test` skips it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvRow, PROJECT_ROOT, syntheticFaces, tempDir } from '../../test/fixtures.js';
import { PIXELS_PER_IMAGE } from '../core/image/preprocess.js';
import { loadModel } from '../store/folder.js';
import { initEngine } from '../node/engine.js';
import { FerkitError } from '../core/errors.js';
import { createRng } from '../core/random.js';

const BIN = join(PROJECT_ROOT, 'bin', 'ferkit.js');
const skip = process.env.FERKIT_KILL_TESTS ? false : 'set FERKIT_KILL_TESTS=1 (npm run test:kill) to kill training runs at random moments';
/** Kill-and-resume trials, and kills at most per trial. */
const TRIALS = Number(process.env.FERKIT_KILL_TRIALS ?? 4);
const KILLS = 3;

const env = { ...process.env, FERKIT_BACKEND: process.env.FERKIT_BACKEND ?? 'auto' };

/** Runs `ferkit train` to its end, or kills it after `killAfterMs`; its exit code (null when killed) and stderr. */
function trainRun(args: string[], killAfterMs?: number): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'train', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: performance.now() - t0 });
    });
  });
}

/** The weights of a model folder as floats. */
function weights(dir: string): Float32Array {
  const b = readFileSync(join(dir, 'weights.bin'));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A model folder mid-run is either refused (BAD_MODEL, no model yet) or the finished model. */
async function noHalfModel(dir: string, reference: Float32Array): Promise<void> {
  try {
    const { model } = await loadModel(dir);
    model.dispose();
  } catch (err) {
    assert.ok(err instanceof FerkitError && ['BAD_MODEL', 'MODEL_NOT_FOUND'].includes(err.code), `a killed run left ${String(err)}`);
    return;
  }
  const w = weights(dir);
  assert.equal(w.length, reference.length, 'a loadable model mid-run has the final weights');
}

test("ferkit train killed at random moments and resumed gets the uninterrupted run's weights", { skip, timeout: 3_600_000 }, async () => {
  await initEngine(env.FERKIT_BACKEND as 'auto');
  const { dir, cleanup } = tempDir();
  try {
    // a tiny dataset and architecture: each epoch takes a fraction of a second, so kills fall in every phase
    const { pixels, labels } = syntheticFaces(12, 7, 5);
    const rows = Array.from(labels, (l, i) => csvRow(l, (j) => pixels[i * PIXELS_PER_IMAGE + j]));
    const csv = join(dir, 'faces.csv');
    writeFileSync(csv, ['emotion,pixels,Usage', ...rows].join('\n') + '\n');
    const args = (out: string) => ['--data', csv, '--arch', 'tiny', '--epochs', '8', '--batch-size', '8', '--keep-best', '--seed', '3', '--out', out];

    const ref = await trainRun(args(join(dir, 'reference')));
    assert.equal(ref.code, 0, ref.stderr);
    const reference = weights(join(dir, 'reference'));
    console.log(`uninterrupted run: ${(ref.ms / 1000).toFixed(1)} s`);

    const rng = createRng(20261202);
    let kills = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const out = join(dir, `trial-${trial}`);
      let started = false;
      for (let attempt = 0; ; attempt++) {
        const resume = started && existsSync(join(out, 'checkpoint')) ? ['--resume'] : [];
        const killAt = attempt < KILLS ? 300 + rng() * ref.ms : undefined;
        const r = await trainRun([...args(out), ...resume], killAt);
        started = true;
        if (r.code === 0) break;
        if (r.code === null) {
          kills++;
          await noHalfModel(out, reference);
          continue;
        }
        // a run killed before its first checkpoint leaves nothing to continue: resuming starts it again, and says so
        assert.match(r.stderr, /holds no checkpoint yet|already holds/, r.stderr);
      }
      const got = weights(out);
      assert.equal(got.length, reference.length);
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - reference[i]));
      // resumed runs repeat the same steps; the bound only allows for float rounding
      assert.ok(maxDiff < 1e-4, `trial ${trial}: weights differ by up to ${maxDiff}`);
      assert.ok(existsSync(join(out, 'ferkit.json')));
      const { model } = await loadModel(out);
      model.dispose();
      console.log(`trial ${trial}: finished; largest weight difference ${maxDiff}`);
    }
    console.log(`${kills} kills over ${TRIALS} trials`);
    assert.ok(kills >= TRIALS, `only ${kills} runs were killed`);
  } finally {
    cleanup();
  }
});
