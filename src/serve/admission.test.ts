import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, Saturated } from './admission.js';

/** A job that finishes when told to. */
function gate(): { job: () => Promise<string>; open: () => void; started: () => boolean } {
  let open!: () => void;
  let started = false;
  const done = new Promise<void>((r) => (open = r));
  return {
    job: async () => {
      started = true;
      await done;
      return 'done';
    },
    open: () => open(),
    started: () => started,
  };
}

test('Admission: runs `concurrency` jobs, queues `queue` more, refuses the rest with a retry time', async () => {
  const a = new Admission(2, 1);
  const g = [gate(), gate(), gate(), gate()];
  const runs = g.slice(0, 3).map((x) => a.run(x.job));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(a.load, { running: 2, waiting: 1 });
  assert.equal(g[2].started(), false);
  await assert.rejects(a.run(g[3].job), (err: unknown) => err instanceof Saturated && err.retryAfterSeconds >= 1);
  g[0].open();
  await runs[0];
  await new Promise((r) => setImmediate(r));
  assert.equal(g[2].started(), true, 'the queued job takes the freed slot');
  assert.deepEqual(a.load, { running: 2, waiting: 0 });
  g[1].open();
  g[2].open();
  assert.deepEqual(await Promise.all(runs), ['done', 'done', 'done']);
  assert.deepEqual(a.load, { running: 0, waiting: 0 });
});

test('Admission: a failing job frees its slot', async () => {
  const a = new Admission(1, 0);
  await assert.rejects(
    a.run(async () => {
      throw new Error('bad picture');
    }),
    /bad picture/,
  );
  assert.equal(await a.run(async () => 7), 7);
  assert.throws(() => new Admission(0, 1), /at least 1/);
  assert.throws(() => new Admission(1, -1), /at least 0/);
});
