/** `ferkit submit` and `ferkit worker` from the command line, against a redis-server of the test's own. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, type QueueWorker } from '../queue/worker.js';
import { PROJECT_ROOT, tempDir } from '../../test/fixtures.js';
import { needsRedis, startRedis, type TestRedis } from '../../test/redis.js';

const BIN = join(PROJECT_ROOT, 'bin', 'ferkit.js');
const PHOTO = join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg');
const skip = needsRedis();

/** Runs ferkit without blocking this process (its worker runs here); killed after `limitMs` (its code is then null). */
function ferkit(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return ferkitWithin(600_000, ...args);
}

function ferkitWithin(limitMs: number, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.FERKIT_REDIS;
  delete env.FERKIT_REDIS_TIMEOUT;
  const child = spawn(process.execPath, [BIN, ...args], { env });
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  child.on('close', () => clearTimeout(killer));
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

let redis: TestRedis;
let worker: QueueWorker;
let tmp: { dir: string; cleanup: () => void };
before(async () => {
  if (skip) return;
  tmp = tempDir();
  redis = await startRedis();
  worker = await startWorker({ redis: redis.url, recognizer: { model: join(PROJECT_ROOT, 'models', 'paper') } });
});
after(async () => {
  if (skip) return;
  await worker?.close();
  await redis?.cleanup();
  tmp?.cleanup();
});

test('worker and submit without a Redis say how to give one', async () => {
  for (const command of ['worker', 'submit']) {
    const r = await ferkit(command, ...(command === 'submit' ? ['x.jpg'] : []));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /give the queue's Redis with --redis redis:\/\/host:port \(or set FERKIT_REDIS\)/);
  }
  assert.match((await ferkit('submit', '--redis', 'http://x', 'a.jpg')).stderr, /--redis must be a redis:\/\/ or rediss:\/\/ URL/);
});

/** A loopback port nothing listens on: bound, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('submit, worker and serve give up on an unreachable Redis: one line naming it and what to do, exit 1', async () => {
  const url = `redis://:secret@127.0.0.1:${await closedPort()}`;
  const runs = await Promise.all([
    ferkitWithin(120_000, 'submit', '--redis', url, '--redis-timeout', '2', '--wait', PHOTO),
    ferkitWithin(120_000, 'worker', '--redis', url, '--redis-timeout', '2'),
    ferkitWithin(120_000, 'serve', '--port', '0', '--redis', url, '--redis-timeout', '2'),
  ]);
  for (const [i, r] of runs.entries()) {
    const command = ['submit', 'worker', 'serve'][i];
    // it ends by itself (a hang would be killed and give null), long before the kill
    assert.equal(r.code, 1, `${command}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${command} printed one line:\n${r.stderr}`);
    assert.match(lines[0], new RegExp(`^ferkit ${command}: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:\\d+: connection refused`));
    assert.match(lines[0], /start Redis there or give its address.*\(flags --redis, --redis-timeout\)$/);
    assert.doesNotMatch(r.stderr, /secret|\n\s+at |ECONNREFUSED/);
    assert.equal(r.stdout, '');
  }
});

test('submit --wait prints a JSON line per picture as predict --json does, an error for a bad one, and exits 1', { skip }, async () => {
  const junk = join(tmp.dir, 'junk.png');
  writeFileSync(junk, 'not a picture');
  const r = await ferkit('submit', '--redis', redis.url, '--wait', '--attempts', '1', PHOTO, junk);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { file: string; faces: unknown[]; error?: { code: string } });
  assert.equal(lines.length, 2);
  const byFile = new Map(lines.map((l) => [l.file, l]));
  assert.equal(byFile.get(PHOTO)!.faces.length, 1);
  assert.equal(byFile.get(junk)!.error!.code, 'BAD_IMAGE');
  assert.match(r.stderr, /2 job\(s\), 1 failed/);

  const queued = await ferkit('submit', '--redis', redis.url, PHOTO);
  assert.equal(queued.code, 0, queued.stderr);
  assert.match(JSON.parse(queued.stdout).id, /^[0-9a-f-]{36}$/);
});
