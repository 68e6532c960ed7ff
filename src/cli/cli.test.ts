import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticFaces, csvRow, tempDir, needs, FER_CSV, PROJECT_ROOT } from '../testing/fixtures.js';

const BIN = join(PROJECT_ROOT, 'bin', 'ferkit.js');

function ferkit(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FERKIT_BACKEND: process.env.FERKIT_BACKEND ?? 'auto' }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('info prints version, backend and why, default model, architectures', () => {
  const r = ferkit('info', '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend));
  assert.ok(info.reason.length > 0);
  assert.ok(info.architectures.some((a: { name: string }) => a.name === 'paper'));
  assert.ok('defaultModel' in info);
});

test('bad usage exits 2 with a message saying what to do', () => {
  const unknown = ferkit('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const noData = ferkit('train');
  assert.equal(noData.code, 2);
  assert.match(noData.stderr, /train needs --data PATH/);
  const badFlag = ferkit('eval', '--data', 'x.csv', '--bogus');
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--bogus/);
  const missing = ferkit('eval', '--data', '/nonexistent.csv', '--model', '/nonexistent-model');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no model in \/nonexistent-model/);
});

test('train then eval --json from the command line, on a CSV', () => {
  const { dir, cleanup } = tempDir();
  try {
    const { pixels, labels } = syntheticFaces(12);
    const rows = Array.from(labels, (l, i) => csvRow(l, (j) => pixels[i * 2304 + j], i % 4 === 0 ? 'PublicTest' : 'Training'));
    const csv = join(dir, 'faces.csv');
    writeFileSync(csv, ['emotion,pixels,Usage', ...rows].join('\n') + '\n');
    const out = join(dir, 'model');
    const t = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '2', '--batch-size', '8', '--out', out);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /epoch 2\/2 loss/);
    for (const f of ['model.json', 'weights.bin', 'ferkit.json', 'train-log.jsonl']) assert.ok(existsSync(join(out, f)), f);
    const meta = JSON.parse(readFileSync(join(out, 'ferkit.json'), 'utf8'));
    assert.equal(meta.training.split, 0.2);
    assert.equal(meta.training.batchSize, 8);
    const e = ferkit('eval', '--data', csv, '--model', out, '--json');
    assert.equal(e.code, 0, e.stderr);
    const m = JSON.parse(e.stdout);
    assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'confusion', 'labels', 'macroF1', 'perClass', 'samples']);
    assert.equal(m.samples, 21); // every 4th of 84 rows is PublicTest
    assert.equal(m.confusion.flat().reduce((a: number, b: number) => a + b, 0), 21);
    const text = ferkit('eval', '--data', csv, '--model', out);
    assert.match(text.stdout, /macro-F1/);
    assert.match(text.stdout, /confusion matrix \(rows: true label\)/);
    const resume = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '3', '--batch-size', '8', '--out', out, '--resume');
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stderr, /epochs 3\.\.3/);
  } finally {
    cleanup();
  }
});

const bundled = join(PROJECT_ROOT, 'models', 'paper', 'model.json');
test('the bundled paper model reaches at least the paper\'s 54.42% on PublicTest', { skip: needs(FER_CSV) || needs(bundled, 'the bundled paper model, trained with the command in README') }, () => {
  const r = ferkit('eval', '--data', FER_CSV, '--usage', 'PublicTest', '--model', join(PROJECT_ROOT, 'models', 'paper'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.samples, 3589);
  assert.ok(m.accuracy >= 0.5442, `accuracy ${m.accuracy}`);
});
