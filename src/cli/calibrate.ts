import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { defaultModelDir, resolveModelDir, writeMetadata } from '../store/folder.js';
import { loadClassifier } from '../node/emotion-model.js';
import { isFaceApiExpressionModel } from '../store/face-api-expression.js';
import { classifierProbabilities } from '../core/models/classifier.js';
import { FACE_API_EXPRESSIONS } from '../core/models/face-api-expression.js';
import { parseFlags, backendFlag } from './args.js';
import { selectForCli } from './data.js';
import { booleanFlags, pickFlags, RECOGNIZER_FLAGS } from './option-groups.js';
import { DATA_SELECTION_FLAGS } from '../data/selection-flags.js';
import { describeCalibration } from '../eval/format.js';
import { calibrationOn } from '../eval/calibration.js';

export const CALIBRATE_HELP = `ferkit calibrate --model DIR --data PATH [options]

Fits a temperature on held-out data so that the model's probabilities mean
what they say, stores it in DIR/ferkit.json (every later prediction applies
it), and prints the expected calibration error before and after. Fit it on
validation data, never on the data you report test figures on.

With --class-bias it also fits a log-space offset per class, applied after
the temperature, that maximises macro-F1 on the same data: the decisions
shift toward classes the model under-predicts (more recall for them, some
accuracy on the frequent ones), and the probabilities then describe a more
balanced mix of emotions than the training data's.

  --model DIR          model folder to calibrate (required)
  --data PATH          FER2013 CSV or image folder
  --usage LIST         rows/sub-folder (default PublicTest; with --split, Training)
  --split F --seed N --part heldout|train   one part of a stratified split (as in eval)
  --class-bias         also fit per-class offsets for macro-F1 (threshold moving)
  --limit N, --skip-bad, --backend NAME

examples:
  ferkit calibrate --model runs/vgg --data fer2013.csv
  ferkit calibrate --model runs/vgg --data fer2013.csv --usage Training --split 0.1 --part heldout`;

export async function calibrateCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...pickFlags(RECOGNIZER_FLAGS, 'model', 'backend'),
    ...pickFlags(DATA_SELECTION_FLAGS, 'data', 'usage', 'split', 'seed', 'part', 'limit', 'skip-bad'),
    ...booleanFlags('class-bias'),
  });
  if (!v.model) throw new FerkitError('BAD_ARGUMENT', `calibrate needs --model DIR (the bundled one is ${defaultModelDir()}; calibrate a copy)`);
  if (!v.data) throw new FerkitError('BAD_ARGUMENT', 'calibrate needs --data PATH (held-out data)');
  if (isFaceApiExpressionModel(v.model)) {
    throw new FerkitError(
      'BAD_ARGUMENT',
      `${FACE_API_EXPRESSIONS} is face-api.js's net as installed with ferkit, which calibrate does not change; calibrate an ensemble that includes it (ferkit ensemble --models ...,${FACE_API_EXPRESSIONS} --out DIR)`,
    );
  }
  await initEngine(backendFlag(v.backend));
  const dir = resolveModelDir(v.model);
  const { classifier, meta } = await loadClassifier(dir, undefined, 'current');
  let probabilities: Float32Array;
  let data;
  try {
    data = await selectForCli(v, log);
    // the network's own probabilities (faces as its preprocessing says), before any calibration
    probabilities = await classifierProbabilities(classifier, meta, data.pixels, { temperature: 1, classBias: false });
  } finally {
    classifier.dispose();
  }
  const cal = calibrationOn(
    probabilities,
    data.labels,
    `${v.data}${v.split ? ` (${v.part ?? 'heldout'} part of a ${v.split} split, seed ${v.seed ?? 42})` : ` (usage ${v.usage ?? 'PublicTest'})`}`,
    { classBias: Boolean(v['class-bias']) },
  );
  writeMetadata(dir, { ...meta, calibration: cal });
  const metaPath = join(dir, 'ferkit.json');
  const bias = cal.classBias ? `${describeCalibration(cal, meta.labels)}\nmacro-F1 ${cal.macroF1Before!.toFixed(4)} -> ${cal.macroF1After!.toFixed(4)}\n` : '';
  out(
    `temperature ${cal.temperature.toFixed(4)} fitted on ${cal.samples} images\n${bias}expected calibration error ${cal.eceBefore.toFixed(4)} -> ${cal.eceAfter.toFixed(4)}\nnegative log-likelihood ${cal.nllBefore.toFixed(4)} -> ${cal.nllAfter.toFixed(4)}\nstored in ${metaPath}\n`,
  );
  return 0;
}
