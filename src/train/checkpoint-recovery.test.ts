/**
 * Every state a kill can leave inside replaceFolder (a checkpoint or the
 * best weights being swapped) is recovered: the folder comes back complete,
 * old or new, and the leftovers go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCheckpoint, recoverFolder, replaceFolder } from './checkpoint.js';
import { tempDir } from '../../test/fixtures.js';

/** A folder holding `state.json` = `epoch`, complete (with the marker replaceFolder writes last) or not. */
function folder(path: string, epoch: number, complete = true): void {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'state.json'), JSON.stringify({ epoch }));
  if (complete) writeFileSync(join(path, '.complete'), '');
}
const epochIn = (path: string) => (JSON.parse(readFileSync(join(path, 'state.json'), 'utf8')) as { epoch: number }).epoch;

test('recoverFolder: each state a kill inside replaceFolder can leave', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: { name: string; make: (f: string) => void; expect: number | undefined }[] = [
      { name: 'killed filling the first one', make: (f) => folder(`${f}.tmp`, 1, false), expect: undefined },
      { name: 'killed filling a later one', make: (f) => (folder(f, 1), folder(`${f}.tmp`, 2, false)), expect: 1 },
      { name: 'killed after filling, before any rename', make: (f) => (folder(f, 1), folder(`${f}.tmp`, 2)), expect: 1 },
      { name: 'killed between the two renames', make: (f) => (folder(`${f}.old`, 1), folder(`${f}.tmp`, 2)), expect: 2 },
      { name: 'killed between the renames, a stray incomplete new one', make: (f) => (folder(`${f}.old`, 1), folder(`${f}.tmp`, 2, false)), expect: 1 },
      { name: 'killed before removing the old one', make: (f) => (folder(f, 2), folder(`${f}.old`, 1)), expect: 2 },
    ];
    for (const [i, c] of cases.entries()) {
      const f = join(dir, `case${i}`, 'checkpoint');
      c.make(f);
      recoverFolder(f);
      if (c.expect === undefined) assert.ok(!existsSync(join(f, 'state.json')), c.name);
      else {
        assert.equal(epochIn(f), c.expect, c.name);
        assert.ok(!existsSync(`${f}.tmp`) && !existsSync(`${f}.old`), `${c.name}: leftovers removed`);
      }
      // hasCheckpoint (what --resume asks first) sees the recovered folder
      assert.equal(hasCheckpoint(join(dir, `case${i}`)), c.expect !== undefined, c.name);
    }
  } finally {
    cleanup();
  }
});

test('replaceFolder after a crash state: the new folder replaces the recovered one', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'checkpoint');
    folder(`${f}.old`, 1);
    folder(`${f}.tmp`, 2, false);
    await replaceFolder(f, async (tmp) => writeFileSync(join(tmp, 'state.json'), JSON.stringify({ epoch: 3 })));
    assert.equal(epochIn(f), 3);
    assert.ok(!existsSync(`${f}.tmp`) && !existsSync(`${f}.old`));
  } finally {
    cleanup();
  }
});
