import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticFaces, csvRow, tempDir, needs, testVideo, FER_CSV, FERPLUS_HEADER, PROJECT_ROOT } from '../../test/fixtures.js';
import { formatModelDescription } from './info.js';
import { EMOTIONS, FERPLUS_COLUMNS, FERPLUS_TO_FER } from '../core/labels.js';

const BIN = join(PROJECT_ROOT, 'bin', 'ferkit.js');

function ferkit(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, FERKIT_BACKEND: process.env.FERKIT_BACKEND ?? 'auto' },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DEFAULT_MODEL = join(PROJECT_ROOT, 'models', 'default');
/** Whether the CLI runs on the native engine: comparing all of FER2013's faces takes minutes without it. */
const NATIVE = JSON.parse(ferkit('info', '--json').stdout || '{}').backend === 'tensorflow';

test('info prints version, backend and why, default model, architectures', () => {
  const r = ferkit('info', '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend));
  assert.ok(info.reason.length > 0);
  assert.ok(info.architectures.some((a: { name: string }) => a.name === 'paper'));
  assert.ok('defaultModel' in info);
  // every bundled model, with its size and held-out accuracy; the text lists them all by name
  const models = info.models as { name: string; default: boolean; weightsBytes: number; accuracy: number }[];
  const names = models.map((m) => m.name);
  for (const name of ['default', 'fast', 'paper'].filter((n) => existsSync(join(PROJECT_ROOT, 'models', n, 'ferkit.json')))) {
    const m = models.find((x) => x.name === name)!;
    assert.ok(m, `${name} in ${names.join(', ')}`);
    assert.ok(m.weightsBytes > 100_000 && m.accuracy > 0.5 && m.accuracy < 1, JSON.stringify(m));
    assert.equal(m.default, name === 'default');
  }
  const text = ferkit('info').stdout;
  for (const name of names) assert.match(text, new RegExp(`^  ${name} +\\S+ +[\\d.]+M parameters +[\\d.]+ MB +held-out accuracy [\\d.]+%`, 'm'));
  // an unknown model's message names every bundled one
  assert.match(
    ferkit('predict', join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'), '--model', 'nosuch').stderr,
    new RegExp(`a bundled model's name \\(${names.join(', ')}\\)`),
  );
});

test(
  'info --model describes a model: weights, fingerprint, how it was trained, members of an ensemble',
  { skip: needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model') },
  () => {
    const text = ferkit('info', '--model', 'default');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /calibration: temperature [\d.]+ fitted on \d+ images/);
    const { dir, cleanup } = tempDir();
    try {
      const ens = join(dir, 'ens');
      const made = ferkit('ensemble', '--models', 'default,default', '--out', ens);
      assert.equal(made.code, 0, made.stderr);
      const r = ferkit('info', '--model', ens, '--json');
      assert.equal(r.code, 0, r.stderr);
      const d = JSON.parse(r.stdout);
      assert.deepEqual(
        d.members.map((m: { folder: string }) => m.folder),
        ['member-1', 'member-2'],
      );
      assert.match(d.sha256, /^[0-9a-f]{64}$/);
      assert.ok(d.weightsBytes > 2 ** 20 && d.weightsBytes < 10 * 2 ** 20, String(d.weightsBytes));
      assert.equal(d.weightsDtype, 'float16');
      assert.match(ferkit('info', '--model', ens).stdout, /member member-2 \(vgg\):\n {2}training: \d+ epochs/);
    } finally {
      cleanup();
    }
    const missing = ferkit('info', '--model', '/nonexistent-model');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no model in \/nonexistent-model/);
  },
);

test('info --model names the optimizer, the plateau schedule and the equalisation a model was trained with', () => {
  const text = formatModelDescription({
    dir: 'runs/x',
    architecture: 'vgg',
    labels: ['angry'],
    weightsDtype: 'float32',
    foldedBatchNorm: false,
    weightsBytes: 1,
    sha256: 'f'.repeat(64),
    training: {
      epochs: 9,
      batchSize: 64,
      optimizer: 'sgd',
      momentum: 0.9,
      learningRate: 0.01,
      schedule: 'plateau',
      plateauFactor: 0.5,
      plateauPatience: 5,
      seed: 1,
      equalize: 'clahe',
    },
  });
  assert.match(text, /training: 9 epochs, batch 64, SGD \(Nesterov momentum 0\.9\) lr 0\.01 plateau \(x0\.5 after 5 epochs\), seed 1, equalize clahe/);
});

test(
  'the README quick start runs as written and prints what the README shows',
  { skip: needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model') },
  (t) => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Learn more'));
    const blocks = [...quick.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
    // numbers may differ in their last printed digit between CPUs (another summation order can move a
    // probability across a rounding boundary), so they are compared to within 0.02 and boxes to within 2 px
    const close = (actual: string, shown: string) => {
      const a = actual.trim().split(/\s+/),
        b = shown.trim().split(/\s+/);
      assert.equal(a.length, b.length, `${actual} vs ${shown}`);
      a.forEach((word, i) => {
        const [x, y] = [Number(word.replaceAll(',', '.')), Number(b[i].replaceAll(',', '.'))];
        if (/^[\d.]+$/.test(word) && /^[\d.]+$/.test(b[i])) assert.ok(Math.abs(x - y) <= 0.02 + 1e-9, `${word} vs ${b[i]}`);
        else if (/^[\d,]+$/.test(word))
          word.split(',').forEach((v, k) => assert.ok(Math.abs(Number(v) - Number(b[i].split(',')[k])) <= 2, `${word} vs ${b[i]}`));
        else assert.equal(word, b[i]);
      });
    };
    const sh = blocks.findIndex((b) => b.lang === 'sh');
    const commands = blocks[sh].text
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('npx ferkit '));
    assert.equal(commands.length, 1);
    // a user's project folder with ferkit installed: node_modules/ferkit is this checkout
    const { dir: project, cleanup } = tempDir();
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(PROJECT_ROOT, join(project, 'node_modules', 'ferkit'), 'dir');
    symlinkSync(join(PROJECT_ROOT, 'bin', 'ferkit.js'), join(project, 'node_modules', '.bin', 'ferkit'));
    writeFileSync(join(project, 'package.json'), '{ "type": "module", "private": true }\n');
    t.after(cleanup);
    const [npx, ...args] = commands[0].split(/\s+/);
    const r = spawnSync(npx, args, { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const shown = blocks[sh + 1].text.trim().split('\n');
    const printed = r.stdout.trim().split('\n');
    assert.equal(printed.length, shown.length);
    printed.forEach((line, i) => close(line, shown[i]));
    // the library example, run as a user's module that imports the package by name
    const js = blocks.findIndex((b) => b.lang === 'js');
    const example = join(project, 'example.mjs');
    writeFileSync(example, blocks[js].text);
    try {
      const run = spawnSync(process.execPath, [example], { cwd: project, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      close(run.stdout, blocks[js + 1].text);
    } finally {
      rmSync(example, { force: true });
    }
  },
);

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
  // typos get a suggestion and the way to the command's help
  const typo = ferkit('predict', '--jsn', 'x.jpg');
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr.trim(), 'ferkit predict: unknown flag --jsn; did you mean --json? Run `ferkit help predict` for its options.');
  assert.match(ferkit('eval', '--dat', 'x').stderr, /unknown flag --dat; did you mean --data\?/);
  assert.match(ferkit('predict', '--model').stderr, /--model needs a value/);
  assert.match(ferkit('predict', '--json=yes', 'x.jpg').stderr, /--json takes no value/);
  assert.doesNotMatch(ferkit('predict', '--zzzzzz', 'x.jpg').stderr, /did you mean/);
  const cmd = ferkit('prdict', 'x.jpg');
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /unknown command "prdict"; did you mean `ferkit predict`\?/);
  assert.match(ferkit('vidoe').stderr, /did you mean `ferkit video`/);
  const backend = ferkit('info', '--backend', 'natve');
  assert.equal(backend.code, 2);
  assert.match(backend.stderr, /--backend must be one of auto, native, wasm, cpu, got "natve"; did you mean native\?/);
});

test("help: a short list of the commands; each command's options under `ferkit help COMMAND`", () => {
  for (const args of [[], ['help'], ['--help']]) {
    const h = ferkit(...args);
    assert.equal(h.code, 0);
    const lines = h.stdout.trim().split('\n');
    assert.ok(lines.length <= 25, `${lines.length} lines`);
    for (const c of ['predict', 'video', 'eval', 'compare', 'train', 'calibrate', 'report', 'export', 'ensemble', 'info'])
      assert.match(h.stdout, new RegExp(`^  ${c} `, 'm'));
  }
  const predict = ferkit('help', 'predict');
  assert.equal(predict.code, 0);
  assert.match(predict.stdout, /^ferkit predict FILE\|DIR\|GLOB/);
  assert.match(predict.stdout, /--uncertain-below P/);
  assert.equal(ferkit('predict', '--help').stdout, predict.stdout);
  const all = ferkit('help', '--all').stdout;
  for (const c of ['train', 'eval', 'video', 'export']) assert.match(all, new RegExp(`^ferkit ${c} `, 'm'));
  const unknown = ferkit('help', 'predcit');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did you mean `ferkit predict`/);
  // the CLI reference in docs/ is the help, word for word
  const reference = readFileSync(join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
  for (const block of all.split(/\n\n(?=ferkit )/)) assert.ok(reference.includes(block.trim()), `docs/cli.md lacks the help of: ${block.split('\n')[0]}`);
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
    assert.match(t.stderr, /epoch 2\/2 loss .* val_acc [\d.]+% val_f1 [\d.]+ \(lowest recall (angry|disgust|fear|happy|sad|surprise|neutral) [\d.]+\)/);
    for (const f of ['model.json', 'weights.bin', 'ferkit.json', 'train-log.jsonl']) assert.ok(existsSync(join(out, f)), f);
    const meta = JSON.parse(readFileSync(join(out, 'ferkit.json'), 'utf8'));
    assert.equal(meta.training.split, 0.2);
    assert.equal(meta.training.batchSize, 8);
    const e = ferkit('eval', '--data', csv, '--model', out, '--json');
    assert.equal(e.code, 0, e.stderr);
    const m = JSON.parse(e.stdout);
    assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'confusion', 'ece', 'intervals', 'labels', 'macroF1', 'perClass', 'samples', 'uncertainty']);
    assert.ok(
      m.uncertainty.threshold >= 0 && m.uncertainty.threshold <= 1 && m.uncertainty.flagged >= 0 && m.uncertainty.flagged <= 1,
      JSON.stringify(m.uncertainty),
    );
    assert.equal(m.samples, 21); // every 4th of 84 rows is PublicTest
    assert.equal(m.intervals.level, 0.95);
    assert.ok(m.intervals.accuracy[0] <= m.accuracy && m.accuracy <= m.intervals.accuracy[1], JSON.stringify(m.intervals.accuracy));
    assert.ok(m.intervals.accuracy[1] - m.intervals.accuracy[0] > 0.2, '21 images leave a wide interval');
    assert.deepEqual(Object.keys(m.intervals.recall), [...EMOTIONS]);
    assert.equal(
      m.confusion.flat().reduce((a: number, b: number) => a + b, 0),
      21,
    );
    // FER+ majority labels: row i votes for class (label + 1) % 7, every 3rd for contempt, row 5 for nothing
    const fpFile = join(dir, 'fer2013new.csv');
    const fpRows = Array.from(labels, (l, i) => {
      const votes = new Array<number>(FERPLUS_TO_FER.length).fill(0);
      if (i % 3 === 0) votes[FERPLUS_COLUMNS.indexOf('contempt')] = 6;
      else votes[FERPLUS_TO_FER.indexOf(EMOTIONS[(l + 1) % 7])] = 6;
      return `x,${i === 5 ? '' : `fer${i}.png`},${votes.join(',')}`;
    });
    writeFileSync(fpFile, [FERPLUS_HEADER, ...fpRows].join('\n') + '\n');
    const scoredRows = Array.from(labels.keys()).filter((i) => i % 4 === 0 && i % 3 !== 0 && i !== 5);
    const fpEval = ferkit('eval', '--data', csv, '--model', out, '--ferplus', fpFile, '--json');
    assert.equal(fpEval.code, 0, fpEval.stderr);
    assert.match(
      fpEval.stderr,
      /labels: FER\+ majority votes .* left out 7 images whose majority is not one of the seven emotions .* 0 without votes: 14 images/,
    );
    const fpMetrics = JSON.parse(fpEval.stdout);
    assert.equal(fpMetrics.samples, scoredRows.length);
    const support = new Array<number>(7).fill(0);
    for (const i of scoredRows) support[(labels[i] + 1) % 7]++;
    assert.deepEqual(
      fpMetrics.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0)),
      support,
    );
    assert.equal(ferkit('eval', '--data', dir, '--model', out, '--ferplus', fpFile).code, 2); // an image folder has no FER+ rows
    assert.equal(ferkit('eval', '--data', csv, '--model', out, '--ferplus', fpFile, '--detect').code, 2);
    const text = ferkit('eval', '--data', csv, '--model', out, '--predictions', join(dir, 'pred', 'p.csv'));
    assert.match(text.stdout, /macro-F1 {2}[\d.]+ {3}\(95% CI [\d.]+-[\d.]+\)/);
    assert.match(text.stderr, /wrote 21 predictions to /);
    const predLines = readFileSync(join(dir, 'pred', 'p.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(predLines[0], ['id', 'row', 'label', 'predicted', 'confidence', 'correct', ...EMOTIONS].join(','));
    assert.equal(predLines.length, 22);
    assert.equal(predLines.filter((l) => l.split(',')[5] === 'true').length, Math.round(m.accuracy * 21), 'the rows agree with the accuracy');
    assert.equal(ferkit('eval', '--data', dir, '--model', out, '--detect', '--predictions', join(dir, 'x.csv')).code, 2);
    assert.match(text.stdout, /confusion matrix \(rows: true label\)/);
    const otherSplit = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '3', '--batch-size', '8', '--out', out, '--resume', '--split-seed', '9');
    assert.equal(otherSplit.code, 1);
    assert.match(otherSplit.stderr, /splitSeed=42, not 9/);
    const resume = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '3', '--batch-size', '8', '--out', out, '--resume');
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stderr, /epochs 3\.\.3/);
    const described = ferkit('info', '--model', out);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /architecture: tiny/);
    assert.match(described.stdout, /training: 3 epochs, batch 8, lr 0\.0001 constant, seed 42, split 0\.2 \(seed 42\)/);
    assert.match(described.stdout, /validation accuracy [\d.]+%/);
    // distillation: the trained model as teacher, with the CLI's default weight and temperature
    const student = join(dir, 'student');
    const kd = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '1', '--batch-size', '8', '--teacher', out, '--out', student);
    assert.equal(kd.code, 0, kd.stderr);
    assert.match(kd.stderr, /teacher: .* \(weight 0\.5, temperature 2\); it predicts the \d+ training faces/);
    const kdMeta = JSON.parse(readFileSync(join(student, 'ferkit.json'), 'utf8')).training;
    assert.deepEqual([kdMeta.teacher, kdMeta.distillWeight, kdMeta.distillTemperature], [out, 0.5, 2]);
    assert.match(ferkit('info', '--model', student).stdout, /teacher: .*model \(weight 0\.5, temperature 2, sha256 [0-9a-f]{16}…\)/);
    // --init takes a bundled model by its name, as --teacher does: here one of another architecture, which is refused by name
    const initBundled = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '1', '--batch-size', '8', '--init', 'default', '--out', join(dir, 'x'));
    assert.equal(initBundled.code, 2, initBundled.stderr);
    assert.match(initBundled.stderr, /models\/default holds a vgg model, not tiny/);
    // --split 0: every Training row trains; the recipe's keep-best and calibration are off, and asking for them is refused
    const whole = join(dir, 'whole');
    const oneTinyEpoch = ['--arch', 'tiny', '--epochs', '1', '--batch-size', '8'];
    const all = ferkit('train', '--data', csv, '--recipe', 'recommended', ...oneTinyEpoch, '--split', '0', '--out', whole);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /no held-out part \(--split 0\): all 63 images train, and nothing validates/);
    assert.match(all.stderr, /training on 63 images .* no validation; epochs 1\.\.1/);
    const wholeMeta = JSON.parse(readFileSync(join(whole, 'ferkit.json'), 'utf8'));
    assert.deepEqual(
      [wholeMeta.training.split, wholeMeta.training.trainCount, wholeMeta.training.keepBest, wholeMeta.training.calibrate, wholeMeta.calibration],
      [0, 63, false, false, undefined],
    );
    assert.match(ferkit('info', '--model', whole).stdout, /split 0 \(every image trained, none held out\)/);
    const noHeldOut = ferkit('train', '--data', csv, ...oneTinyEpoch, '--split', '0', '--keep-best', '--calibrate', '--out', join(dir, 'y'));
    assert.equal(noHeldOut.code, 2);
    assert.match(noHeldOut.stderr, /--keep-best, --calibrate need held-out faces, and --split 0 holds out none/);
    const noTeacher = ferkit('train', '--data', csv, '--arch', 'tiny', '--epochs', '1', '--distill-weight', '0.5', '--out', join(dir, 'x'));
    assert.equal(noTeacher.code, 2);
    assert.match(noTeacher.stderr, /--distill-weight and --distill-temperature need --teacher DIR/);
    const cal = ferkit('calibrate', '--model', out, '--data', csv, '--split', '0.2');
    assert.equal(cal.code, 0, cal.stderr);
    assert.match(cal.stdout, /temperature [\d.]+ fitted on 14 images/);
    const calibrated = JSON.parse(readFileSync(join(out, 'ferkit.json'), 'utf8')).calibration;
    assert.ok(calibrated.temperature > 0 && calibrated.nllAfter <= calibrated.nllBefore + 1e-9);
    const after = ferkit('eval', '--data', csv, '--model', out);
    assert.match(after.stdout, /expected calibration error [\d.]+; temperature/);
    const half = join(dir, 'half');
    const exp = ferkit('export', '--model', out, '--out', half, '--float16');
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stdout, /float16 weights: [\d.]+ MB -> [\d.]+ MB/);
    const halfMeta = JSON.parse(readFileSync(join(half, 'ferkit.json'), 'utf8'));
    assert.equal(halfMeta.weightsDtype, 'float16');
    assert.deepEqual(halfMeta.calibration, calibrated);
    assert.ok(existsSync(join(half, 'train-log.jsonl')));
    const halfEval = ferkit('eval', '--data', csv, '--model', half, '--json');
    assert.equal(halfEval.code, 0, halfEval.stderr);
    assert.equal(JSON.parse(halfEval.stdout).samples, 21);
    assert.equal(ferkit('export', '--model', out, '--out', out).code, 2);
    const biased = ferkit('calibrate', '--model', out, '--data', csv, '--split', '0.2', '--class-bias');
    assert.equal(biased.code, 0, biased.stderr);
    assert.match(biased.stdout, /class bias angry [+-][\d.]+ disgust/);
    assert.match(biased.stdout, /macro-F1 [\d.]+ -> [\d.]+/);
    const stored = JSON.parse(readFileSync(join(out, 'ferkit.json'), 'utf8')).calibration;
    assert.equal(stored.classBias.length, 7);
    assert.ok(stored.macroF1After >= stored.macroF1Before);
    assert.match(ferkit('eval', '--data', csv, '--model', out).stdout, /temperature [\d.]+, class bias angry/);
  } finally {
    cleanup();
  }
});

const bundled = join(PROJECT_ROOT, 'models', 'paper', 'model.json');
test(
  "the bundled paper model reaches at least the paper's 54.42% on PublicTest",
  { skip: needs(FER_CSV) || needs(bundled, 'the bundled paper model, trained with the command in README') },
  () => {
    const r = ferkit('eval', '--data', FER_CSV, '--usage', 'PublicTest', '--model', join(PROJECT_ROOT, 'models', 'paper'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.samples, 3589);
    assert.ok(m.accuracy >= 0.5442, `accuracy ${m.accuracy}`);
  },
);

test(
  'the bundled default model: small, float16, folded, clearly ahead of the paper recipe on PublicTest, with and without the copies of Training faces',
  { skip: needs(FER_CSV) || needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model (MODEL_CARD.md has its command)') },
  () => {
    const meta = JSON.parse(readFileSync(join(DEFAULT_MODEL, 'ferkit.json'), 'utf8'));
    assert.equal(meta.weightsDtype, 'float16');
    assert.equal(meta.foldedBatchNorm, true);
    assert.ok(statSync(join(DEFAULT_MODEL, 'weights.bin')).size < 10 * 2 ** 20);
    assert.ok(meta.calibration.temperature > 0);
    const r = ferkit('eval', '--data', FER_CSV, '--usage', 'PublicTest', '--json');
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.samples, 3589);
    // floors well above the paper model (59.63%, 0.571); macro-F1 and every class's recall at ferkit's
    // aims (0.65, 0.45); MODEL_CARD.md gives the measured figures (69.38%, 0.679, lowest recall fear 0.490)
    assert.ok(m.accuracy >= 0.69, `accuracy ${m.accuracy}`);
    assert.ok(m.macroF1 >= 0.65, `macro-F1 ${m.macroF1}`);
    for (const [label, c] of Object.entries(m.perClass as Record<string, { recall: number }>)) assert.ok(c.recall >= 0.45, `${label} recall ${c.recall}`);
    // without the 294 PublicTest faces that copy a Training face (MODEL_CARD.md: 67.68%, paper model 56.84%);
    // a bare name finds the bundled model: the same predictions on the faces that remain, so no cell of the
    // confusion matrix grows. One face lies 1.6e-5 under the 0.99 similarity threshold, within what another
    // summation order may move a similarity (up to 2.8e-4, see data/duplicates.test.ts): 294 +- 1 copies.
    if (!NATIVE) return; // 3,589 x 28,709 comparisons: seconds on the native engine, minutes without it
    const byName = ferkit('eval', '--data', FER_CSV, '--usage', 'PublicTest', '--model', 'default', '--dedupe', '--json');
    assert.equal(byName.code, 0, byName.stderr);
    const copies = Number(/--dedupe: left out (\d+) images .* of one of the 28709 training faces/.exec(byName.stderr)?.[1]);
    assert.ok(Math.abs(copies - 294) <= 1, `${copies} copies`);
    const unseen = JSON.parse(byName.stdout);
    assert.equal(unseen.samples, 3589 - copies);
    assert.ok(unseen.accuracy >= 0.66 && unseen.accuracy < m.accuracy, `accuracy without the copies ${unseen.accuracy}`);
    unseen.confusion.forEach((row: number[], i: number) => row.forEach((n, j) => assert.ok(n <= m.confusion[i][j], `cell ${i},${j}`)));
  },
);

const FAST_MODEL = join(PROJECT_ROOT, 'models', 'fast');
test(
  "the bundled fast model: by name, a quarter of the default's weights, ahead of the paper recipe on PublicTest",
  { skip: needs(FER_CSV) || needs(join(FAST_MODEL, 'model.json'), 'the bundled fast model (docs/models.md has its command)') },
  () => {
    const meta = JSON.parse(readFileSync(join(FAST_MODEL, 'ferkit.json'), 'utf8'));
    assert.equal(meta.architecture, 'fast');
    assert.equal(meta.weightsDtype, 'float16');
    assert.ok(statSync(join(FAST_MODEL, 'weights.bin')).size * 3 < statSync(join(DEFAULT_MODEL, 'weights.bin')).size);
    const r = ferkit('eval', '--data', FER_CSV, '--usage', 'PublicTest', '--model', 'fast', '--json');
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.samples, 3589);
    // docs/models.md gives the measured figures (64.17%, macro-F1 0.600); the paper model scores 59.63%
    assert.ok(m.accuracy >= 0.63, `accuracy ${m.accuracy}`);
    assert.ok(m.macroF1 >= 0.58, `macro-F1 ${m.macroF1}`);
  },
);

const PHOTOS = join(PROJECT_ROOT, '..', 'shared', 'data', 'photos', 'faceapi-examples');

test(
  'predict: a picture without a face, an unreadable file, JSON and CSV records; exit 1 when a file failed',
  { skip: needs(bundled, 'the bundled paper model') },
  async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sharp = (await import('sharp')).default;
      await sharp({ create: { width: 200, height: 150, channels: 3, background: '#ffffff' } })
        .png()
        .toFile(join(dir, 'blank.png'));
      writeFileSync(join(dir, 'broken.jpg'), 'not a jpeg');
      const r = ferkit('predict', join(dir, 'blank.png'), join(dir, 'broken.jpg'), '--json');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /broken\.jpg: cannot decode image/);
      // one record per picture, in input order, in one shape: faces: [] where there is none, an error where it failed
      const records = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(records[0], { file: join(dir, 'blank.png'), faces: [] });
      assert.equal(records[1].file, join(dir, 'broken.jpg'));
      assert.deepEqual(records[1].faces, []);
      assert.equal(records[1].error.code, 'BAD_IMAGE');
      assert.match(records[1].error.message, /cannot decode image/);
      const ok = ferkit('predict', join(dir, '*.png'), '--csv');
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(
        ok.stdout.split('\n')[0],
        /^file,faceId,x,y,width,height,score,emotion,confidence,uncertain,angry,disgust,fear,happy,sad,surprise,neutral,error$/,
      );
      assert.equal(ok.stdout.split('\n')[1], `${join(dir, 'blank.png')},,,,,,,,,,,,,,,,,`);
      // --csv gives a failed picture its row, as --json gives it its record: the error in the last column
      const csv = ferkit('predict', join(dir, 'blank.png'), join(dir, 'broken.jpg'), join(dir, 'absent.png'), '--csv');
      assert.equal(csv.code, 1);
      const rows = csv.stdout.trim().split('\n');
      assert.equal(rows.length, 4, csv.stdout);
      const columns = rows[0].split(',').length;
      const broken = rows.find((row) => row.startsWith(join(dir, 'broken.jpg')))!;
      assert.match(broken, /,"?BAD_IMAGE: .*cannot decode image/);
      assert.match(
        rows.find((row) => row.startsWith(join(dir, 'absent.png')))!,
        /,"?DATA_NOT_FOUND: /,
      );
      // the cells before the error are empty: the row has the header's columns
      assert.equal(broken.slice(0, broken.indexOf('BAD_IMAGE')).replace(/"$/, '').split(',').length, columns);
      const missing = ferkit('predict', join(dir, 'nothing-*.png'), '--json');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no such file, directory or matching glob/);
      assert.equal(JSON.parse(missing.stdout).error.code, 'DATA_NOT_FOUND');
    } finally {
      cleanup();
    }
  },
);

test('a reader that closes stdout early ends the command quietly, with exit code 0', { skip: needs(bundled, 'the bundled paper model') }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `p${String(i).padStart(2, '0')}.png`), blank);
    const { spawn } = await import('node:child_process');
    const run = (closeAfterFirstLine: boolean) =>
      new Promise<{ code: number | null; stderr: string; lines: number }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'predict', dir, '--json', '--model', 'paper', '--concurrency', '1'], {
          env: { ...process.env, FERKIT_BACKEND: process.env.FERKIT_BACKEND ?? 'auto' },
        });
        let stderr = '',
          lines = 0;
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // \`| head -0\`: the reader is gone before the first line; \`| head -1\`: after it
        if (!closeAfterFirstLine) child.stdout.destroy();
        else
          child.stdout.on('data', (d: Buffer) => {
            lines += d.toString().split('\n').length - 1;
            child.stdout.destroy();
          });
        const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
        child.on('close', (code) => {
          clearTimeout(killer);
          resolve({ code, stderr, lines });
        });
      });
    for (const early of [false, true]) {
      const r = await run(early);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|\n\s+at /);
      // it stopped at the closed pipe instead of recognising every picture
      assert.doesNotMatch(r.stderr, /40 picture\(s\)/);
      if (early) assert.ok(r.lines >= 1);
    }
  } finally {
    cleanup();
  }
});

test(
  'predict on photos: a record per face, annotated pictures written',
  { skip: needs(bundled, 'the bundled paper model') || needs(PHOTOS, 'the photos in ../shared/data/photos') },
  () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = ferkit('predict', join(PHOTOS, 'bbt1.jpg'), join(PHOTOS, 'happy.jpg'), '--json', '--annotate', dir, '--uncertain-below', '0.6');
      assert.equal(r.code, 0, r.stderr);
      const pictures = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        pictures.map((p) => p.file.split('/').pop()),
        ['bbt1.jpg', 'happy.jpg'],
      );
      assert.equal(pictures[0].faces.length, 4);
      assert.deepEqual(
        pictures[0].faces.map((f: { faceId: number }) => f.faceId),
        [1, 2, 3, 4],
      );
      const happy = pictures[1].faces[0];
      assert.equal(happy.emotion, 'happy');
      assert.deepEqual(Object.keys(happy.emotions), ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
      const recs = pictures.flatMap((p) => p.faces);
      for (const rec of recs) {
        // confidence is printed to 4 decimals, uncertain was decided on the full value
        if (Math.abs(rec.confidence - 0.6) > 1e-4) assert.equal(rec.uncertain, rec.confidence < 0.6);
        // top: every emotion once, by score, the first being the answer
        assert.deepEqual(rec.top.map((t: { label: string }) => t.label).sort(), [...EMOTIONS].sort());
        rec.top.forEach((t: { label: string; score: number }, i: number) => {
          assert.equal(t.score, rec.emotions[t.label]);
          if (i) assert.ok(t.score <= rec.top[i - 1].score);
        });
        assert.equal(rec.top[0].label, rec.emotion);
      }
      // uncertain is on by default, at 0.5
      const byDefault = ferkit('predict', join(PHOTOS, 'bbt1.jpg'), '--json');
      for (const f of JSON.parse(byDefault.stdout).faces) if (Math.abs(f.confidence - 0.5) > 1e-4) assert.equal(f.uncertain, f.confidence < 0.5);
      assert.ok(existsSync(join(dir, 'bbt1.jpg')) && existsSync(join(dir, 'happy.jpg')));
      const table = ferkit('predict', join(PHOTOS, 'happy.jpg'));
      assert.match(table.stdout, /happy\.jpg\s+1\s+[\d,]+\s+happy/);
      assert.doesNotMatch(table.stdout, /\? = uncertain/);
      // every face with its eyes (the default detector finds them), in picture pixels inside its box
      for (const f of recs) {
        assert.ok(f.eyes, JSON.stringify(f));
        for (const eye of [f.eyes.left, f.eyes.right]) {
          assert.ok(eye.x >= f.box.x && eye.x <= f.box.x + f.box.width, JSON.stringify(f));
          assert.ok(eye.y >= f.box.y && eye.y <= f.box.y + f.box.height, JSON.stringify(f));
        }
        assert.ok(f.eyes.left.x < f.eyes.right.x);
      }
      // a ? in the table is explained under it
      const unsure = ferkit('predict', join(PHOTOS, 'bbt1.jpg'), '--uncertain-below', '0.99');
      assert.match(unsure.stdout, /\s\?\w+\s/);
      assert.match(unsure.stdout, /\n\? = uncertain: the emotion's probability is below 0\.99 \(--uncertain-below\)/);
    } finally {
      cleanup();
    }
  },
);

test(
  'eval --detect counts pictures without a face and scores the largest face of the others',
  { skip: needs(bundled, 'the bundled paper model') || needs(PHOTOS, 'the photos in ../shared/data/photos') },
  async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { mkdirSync, copyFileSync } = await import('node:fs');
      for (const [folder, file] of [
        ['Happiness', 'happy.jpg'],
        ['happiness', 'white.png'],
        ['anger', 'angry.jpg'],
        ['surprised', 'surprised.jpg'],
      ]) {
        mkdirSync(join(dir, folder), { recursive: true });
        copyFileSync(join(PHOTOS, file), join(dir, folder, file));
      }
      const r = ferkit('eval', '--detect', '--data', dir, '--json');
      assert.equal(r.code, 0, r.stderr);
      const m = JSON.parse(r.stdout);
      assert.equal(m.images, 4);
      assert.equal(m.noFace, 1);
      assert.equal(m.samples, 3);
      assert.equal(m.accuracy, 1);
      assert.match(m.noFaceExamples[0], /white\.png$/);
    } finally {
      cleanup();
    }
  },
);

const FER_IMAGES = join(PROJECT_ROOT, '..', 'shared', 'data', 'fer2013-images', 'test');

test(
  "eval --detect --crops: how often the face is found, and the crops' own accuracy on the same images, as plain eval scores them",
  { skip: needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model') || needs(FER_IMAGES, 'the FER2013 image folders in ../shared/data') },
  async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { mkdirSync, copyFileSync, readdirSync } = await import('node:fs');
      for (const emotion of readdirSync(FER_IMAGES)) {
        mkdirSync(join(dir, emotion));
        for (const f of readdirSync(join(FER_IMAGES, emotion)).sort().slice(0, 2)) copyFileSync(join(FER_IMAGES, emotion, f), join(dir, emotion, f));
      }
      const r = ferkit('eval', '--detect', '--crops', '--detector', 'fast', '--data', dir, '--json');
      assert.equal(r.code, 0, r.stderr);
      const m = JSON.parse(r.stdout);
      assert.equal(m.images, 14);
      assert.equal(m.samples, 14 - m.noFace);
      assert.ok(m.foundRate >= 0.5, `found ${m.foundRate}`); // BlazeFace finds nearly every FER2013 face given room
      assert.equal(m.cropped.samplesAll, 14);
      const plain = JSON.parse(ferkit('eval', '--data', dir, '--json').stdout);
      assert.equal(plain.samples, 14);
      assert.equal(m.cropped.accuracyAll, plain.accuracy);
      assert.equal(ferkit('eval', '--crops', '--data', dir).code, 2, '--crops needs --detect');
    } finally {
      cleanup();
    }
  },
);

test(
  'video: timeline CSV on stdout, summary, plot and timeline files in --out',
  {
    skip:
      needs(bundled, 'the bundled paper model') ||
      needs(PHOTOS, 'the photos in ../shared/data/photos') ||
      (spawnSync('ffmpeg', ['-version']).status === 0 ? false : 'ffmpeg is not installed (apt-get install ffmpeg)'),
  },
  () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = testVideo(join(dir, 'clip.mp4'), [{ picture: join(PHOTOS, 'happy.jpg'), seconds: 2 }], { width: 640, height: 360, fps: 10 });
      const r = ferkit('video', file, '--fps', '5', '--csv', '--out', join(dir, 'out'), '--plot', join(dir, 'plot.png'));
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines[0], 'time,frame,faceId,x,y,width,height,score,emotion,confidence,uncertain,angry,disgust,fear,happy,sad,surprise,neutral');
      assert.equal(lines.length, 11);
      assert.ok(
        lines.slice(1).every((l) => l.split(',')[2] === '1'),
        'one face, one id',
      );
      assert.match(r.stderr, /dominant emotion overall: happy/);
      const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
      assert.equal(summary.faces[0].dominant, 'happy');
      assert.equal(
        readFileSync(join(dir, 'out', 'timeline.csv'), 'utf8')
          .trim()
          .split('\n').length,
        11,
      );
      assert.match(readFileSync(join(dir, 'out', 'emotions.svg'), 'utf8'), /^<svg/);
      assert.deepEqual([...readFileSync(join(dir, 'plot.png')).subarray(1, 4)], [...Buffer.from('PNG')]);
    } finally {
      cleanup();
    }
  },
);

test(
  'video: a live stream over HTTP prints rows as they come; Ctrl-C stops it with the summary',
  {
    timeout: 240_000,
    skip:
      needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model') ||
      needs(PHOTOS, 'the photos in ../shared/data/photos') ||
      (spawnSync('ffmpeg', ['-version']).status === 0 ? false : 'ffmpeg is not installed (apt-get install ffmpeg)'),
  },
  async () => {
    const { dir, cleanup } = tempDir();
    const { createServer } = await import('node:http');
    const { spawn } = await import('node:child_process');
    // a 120 s stream sent at about real speed: still running when ferkit has printed its first rows
    // (ffprobe and ffmpeg each read a few seconds of it before the first frame)
    const file = testVideo(join(dir, 'live.ts'), [{ picture: join(PHOTOS, 'happy.jpg'), seconds: 120 }], { width: 320, height: 180, fps: 5, format: 'mpegts' });
    const data = readFileSync(file);
    const timers = new Set<NodeJS.Timeout>();
    const server = createServer((_req, res) => {
      let at = 0;
      const step = Math.ceil(data.length / 600);
      const tick = () => {
        if (res.destroyed || at >= data.length) return void res.end();
        res.write(data.subarray(at, (at += step)));
        const t = setTimeout(() => {
          timers.delete(t);
          tick();
        }, 200);
        timers.add(t);
      };
      tick();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/live.ts`;
    const child = spawn(process.execPath, [BIN, 'video', url, '--fps', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '',
        stderr = '',
        interrupted = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!interrupted && stdout.includes('\n')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, stderr);
      const rows = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(rows.length >= 1 && rows.length < 240, `${rows.length} rows`);
      // the eyes come with a face wherever the detector found them
      assert.deepEqual(
        Object.keys(rows[0]).filter((k) => k !== 'eyes'),
        ['time', 'frame', 'faceId', 'box', 'score', 'emotion', 'confidence', 'uncertain', 'top', 'emotions', 'roll'],
      );
      assert.match(stderr, /stopping: finishing the summary/);
      assert.match(stderr, /stopped before the end/);
      assert.match(stderr, /dominant emotion overall: happy/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      timers.forEach(clearTimeout);
      server.closeAllConnections();
      server.close();
      cleanup();
    }
  },
);

test(
  'eval --dedupe leaves out the test faces that copy a Training face; train --dedupe validates without them; misuse exits 2',
  { skip: needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model') },
  () => {
    const { dir, cleanup } = tempDir();
    try {
      const tr = syntheticFaces(3, 7, 1),
        te = syntheticFaces(3, 7, 2);
      const copies = new Map([
        [0, 3],
        [5, 6],
        [10, 9],
        [15, 12],
      ]); // PublicTest row -> the Training row it copies
      const trainRows = Array.from(tr.labels, (l, i) => csvRow(l, (j) => tr.pixels[i * 2304 + j], 'Training'));
      const testRows = Array.from(te.labels, (l, i) => {
        const from = copies.get(i);
        return from === undefined
          ? csvRow(l, (j) => te.pixels[i * 2304 + j], 'PublicTest')
          : csvRow(tr.labels[from], (j) => tr.pixels[from * 2304 + j], 'PublicTest');
      });
      const csv = join(dir, 'faces.csv');
      writeFileSync(csv, ['emotion,pixels,Usage', ...trainRows, ...testRows].join('\n') + '\n');
      const all = JSON.parse(ferkit('eval', '--data', csv, '--json').stdout);
      assert.equal(all.samples, 21);
      const r = ferkit('eval', '--data', csv, '--dedupe', '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).samples, 17);
      assert.match(
        r.stderr,
        /--dedupe: left out 4 images that are copies \(similarity >= 0\.99\) of one of the 21 training faces \(4 with that face's label\): 17 images/,
      );
      const held = ferkit('eval', '--data', csv, '--usage', 'Training', '--split', '0.5', '--dedupe', '--json');
      assert.equal(held.code, 0, held.stderr);
      assert.match(
        held.stderr,
        /heldout part .*: 14 images\n--dedupe: left out 0 images .* of one of the 7 training faces \(0 with that face's label\): 14 images/,
      ); // compared with the training part only
      for (const bad of [
        ['--usage', 'Training'],
        ['--usage', 'all'],
        ['--usage', 'Training', '--split', '0.5', '--part', 'train'],
        ['--dedupe-threshold', '2'],
        ['--detect'],
      ]) {
        const e = ferkit('eval', '--data', csv, '--dedupe', ...bad);
        assert.equal(e.code, 2, `${bad.join(' ')}: ${e.stderr}`);
      }
      assert.match(ferkit('eval', '--data', csv, '--dedupe-threshold', '0.9').stderr, /--dedupe-threshold needs --dedupe/);
      // training validates without the copies, records it, and resumes only with it
      const out = join(dir, 'run');
      const trainArgs = [
        'train',
        '--data',
        csv,
        '--val',
        csv,
        '--val-usage',
        'PublicTest',
        '--arch',
        'tiny',
        '--epochs',
        '1',
        '--batch-size',
        '8',
        '--out',
        out,
      ];
      const t = ferkit(...trainArgs, '--dedupe');
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stderr, /--dedupe: left out of validation 4 faces that copy a training face \(4 with its label\): 17 validation faces/);
      const training = JSON.parse(readFileSync(join(out, 'ferkit.json'), 'utf8')).training;
      assert.equal(training.dedupe, 0.99);
      assert.equal(training.validationCount, 17);
      assert.match(
        ferkit('info', '--model', out).stdout,
        /validation without copies of training faces \(similarity >= 0\.99\).*\n {2}data: .*\(21 train, 17 validation\)/,
      );
      const resumed = ferkit(...trainArgs, '--resume');
      assert.equal(resumed.code, 1);
      assert.match(resumed.stderr, /validationCount=17, not 21; resume with the same .*--dedupe/);
      assert.equal(ferkit(...trainArgs, '--dedupe-threshold', '0.9').code, 2); // needs --dedupe
    } finally {
      cleanup();
    }
  },
);

test(
  'compare: two models on the same images, JSON and text; bad usage exits 2',
  { skip: needs(bundled, 'the bundled paper model') || needs(join(DEFAULT_MODEL, 'model.json'), 'the bundled default model') },
  () => {
    const { dir, cleanup } = tempDir();
    try {
      const { pixels, labels } = syntheticFaces(3);
      const csv = join(dir, 'faces.csv');
      writeFileSync(csv, ['emotion,pixels,Usage', ...Array.from(labels, (l, i) => csvRow(l, (j) => pixels[i * 2304 + j], 'PublicTest'))].join('\n') + '\n');
      const j = ferkit('compare', '--models', 'default,paper', '--data', csv, '--json', '--resamples', '200');
      assert.equal(j.code, 0, j.stderr);
      const c = JSON.parse(j.stdout);
      assert.equal(c.a, 'default');
      assert.equal(c.samples, 21);
      assert.equal(c.resamples, 200);
      // the accuracies each model gets from eval, and the difference their discordant images make
      const evalA = JSON.parse(ferkit('eval', '--data', csv, '--model', 'default', '--json').stdout);
      const evalB = JSON.parse(ferkit('eval', '--data', csv, '--model', 'paper', '--json').stdout);
      assert.equal(c.accuracy.a, evalA.accuracy);
      assert.equal(c.accuracy.b, evalB.accuracy);
      assert.ok(Math.abs(c.accuracy.difference - (c.onlyA - c.onlyB) / 21) < 1e-12);
      assert.ok(c.pValue > 0 && c.pValue <= 1);
      const text = ferkit('compare', '--models', 'default,default', '--data', csv);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /A - B {3}accuracy \+0\.00 points \(95% CI \+0\.00 to \+0\.00\)/);
      assert.match(text.stdout, /exact McNemar test p = 1\.0000\nno significant difference/);
      // any model eval runs: face-api.js's net (and so an ensemble), with the accuracy eval gives it
      const faceApi = ferkit('compare', '--models', 'default,face-api-expressions', '--data', csv, '--json', '--resamples', '200');
      assert.equal(faceApi.code, 0, faceApi.stderr);
      const evalFaceApi = JSON.parse(ferkit('eval', '--data', csv, '--model', 'face-api-expressions', '--json').stdout);
      assert.equal(JSON.parse(faceApi.stdout).accuracy.b, evalFaceApi.accuracy);
      const one = ferkit('compare', '--models', 'default', '--data', csv);
      assert.equal(one.code, 2);
      assert.match(one.stderr, /exactly two models, got 1/);
      assert.equal(ferkit('compare', '--models', 'default,paper', '--data', csv, '--level', '95').code, 2);
    } finally {
      cleanup();
    }
  },
);

test('report writes the HTML page and the pictures', { skip: needs(bundled, 'the bundled paper model') }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { pixels, labels } = syntheticFaces(3);
    const csv = join(dir, 'faces.csv');
    writeFileSync(csv, ['emotion,pixels,Usage', ...Array.from(labels, (l, i) => csvRow(l, (j) => pixels[i * 2304 + j], 'PublicTest'))].join('\n') + '\n');
    const r = ferkit('report', '--data', csv, '--out', join(dir, 'rep'));
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['report.html', 'confusion.svg', 'confusion.png', 'per-class.svg', 'reliability.svg', 'metrics.json'])
      assert.ok(existsSync(join(dir, 'rep', f)), f);
    const m = JSON.parse(readFileSync(join(dir, 'rep', 'metrics.json'), 'utf8'));
    assert.equal(m.samples, 21);
    assert.ok(m.intervals.accuracy[0] <= m.accuracy && m.accuracy <= m.intervals.accuracy[1], JSON.stringify(m.intervals));
    const html = readFileSync(join(dir, 'rep', 'report.html'), 'utf8');
    assert.match(html, /<svg[\s\S]*Confusion matrix/);
    assert.match(html, new RegExp(`${(m.accuracy * 100).toFixed(2)}% <small>\\(${(m.intervals.accuracy[0] * 100).toFixed(2)}-`));
    assert.match(html, /95% confidence intervals/);
    assert.doesNotMatch(html, /most confident mistakes/);
    const wrong = m.samples - m.confusion.reduce((s: number, row: number[], i: number) => s + row[i], 0);
    const withMistakes = ferkit('report', '--data', csv, '--out', join(dir, 'rep-m'), '--mistakes', '3');
    assert.equal(withMistakes.code, 0, withMistakes.stderr);
    const mhtml = readFileSync(join(dir, 'rep-m', 'report.html'), 'utf8');
    assert.equal((mhtml.match(/<figure class="face"><img alt="[^"]*faces\.csv:\d+" src="data:image\/png;base64,/g) ?? []).length, Math.min(3, wrong));
    assert.equal(ferkit('report', '--data', csv, '--out', join(dir, 'rep-x'), '--mistakes', '-1').code, 2);
    // against FER+ majority votes: every face voted happy but the first (contempt)
    const fpFile = join(dir, 'fer2013new.csv');
    const votes = (i: number) => (i === 0 ? '0,0,0,0,0,0,0,7,0,0' : '0,7,0,0,0,0,0,0,0,0');
    writeFileSync(fpFile, [FERPLUS_HEADER, ...Array.from(labels, (_, i) => `PublicTest,f${i}.png,${votes(i)}`)].join('\n') + '\n');
    const fp = ferkit('report', '--data', csv, '--out', join(dir, 'rep-fp'), '--ferplus', fpFile);
    assert.equal(fp.code, 0, fp.stderr);
    const fm = JSON.parse(readFileSync(join(dir, 'rep-fp', 'metrics.json'), 'utf8'));
    assert.equal(fm.samples, 20);
    assert.deepEqual(
      fm.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0)),
      [0, 0, 0, 20, 0, 0, 0],
    );
    assert.match(readFileSync(join(dir, 'rep-fp', 'report.html'), 'utf8'), /FER\+ majority labels/);
  } finally {
    cleanup();
  }
});
