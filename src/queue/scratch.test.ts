/** Temporary folders of workers: named after their process; those of processes that are gone are removed at the next start. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { removeStaleScratchDirs, scratchDir } from './scratch.js';
import { tempDir } from '../../test/fixtures.js';

const tmp = tempDir();
after(tmp.cleanup);

test('stale temporary folders (their process gone) are removed; a running process keeps its own, other hosts and other names are left', async () => {
  const mine = await scratchDir(tmp.dir);
  assert.match(basename(mine), new RegExp(`^ferkit-job-[0-9a-f]{8}-${process.pid}-`));
  writeFileSync(join(mine, 'video'), 'bytes');
  // a process that has ended: its pid names a stale folder
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  const tag = basename(mine).split('-')[2];
  const stale = join(tmp.dir, `ferkit-job-${tag}-${deadPid}-abc123`);
  mkdirSync(stale);
  writeFileSync(join(stale, 'video'), 'left behind by a killed worker');
  // the parent of this test is running: its folder stays
  const living = join(tmp.dir, `ferkit-job-${tag}-${process.ppid}-def456`);
  mkdirSync(living);
  const otherHost = join(tmp.dir, `ferkit-job-00000000-${deadPid}-ghi789`);
  mkdirSync(otherHost);
  const unrelated = join(tmp.dir, `ferkit-job-unrelated`);
  mkdirSync(unrelated);
  const removed = await removeStaleScratchDirs(tmp.dir);
  assert.deepEqual(removed, [stale]);
  assert.ok(!existsSync(stale));
  for (const kept of [mine, living, otherHost, unrelated]) assert.ok(existsSync(kept), `${kept} kept`);
  assert.equal(readdirSync(tmp.dir).length, 4);
});
