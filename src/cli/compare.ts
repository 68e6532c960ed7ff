import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { loadClassifier } from '../node/emotion-model.js';
import { classifierProbabilities } from '../core/models/classifier.js';
import { argmaxRows } from '../core/numeric.js';
import { compareModels } from '../eval/compare.js';
import { checkIntervalOptions } from '../eval/intervals.js';
import { formatComparison } from '../eval/format.js';
import { intFlag, listFlag, numFlag, parseFlags, backendFlag } from './args.js';
import { selectForCli } from './data.js';
import { FACE_FLAGS, OUTPUT_FLAGS, pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';
import { DATA_SELECTION_FLAGS } from '../data/selection-flags.js';

export const COMPARE_HELP = `ferkit compare --models A,B --data PATH [options]

Compares two models on the same images: each one's accuracy and macro-F1,
their differences with paired bootstrap confidence intervals, and an exact
McNemar test of equal accuracy. Tells whether one model is really better or
the gap is within what another sample of faces could undo.

  --models A,B        two model folders or names (default, fast, paper, face-api-expressions;
                      an ensemble folder too); A - B is reported
  --data PATH         FER2013 CSV or image folder
  --usage LIST, --split F --seed N --part heldout|train, --ferplus PATH, --dedupe,
  --dedupe-threshold C, --limit N, --skip-bad
                      as for eval
  --tta               flip test-time augmentation for both models
  --level P           confidence level of the intervals (default 0.95; the test's threshold: 1-P)
  --resamples N       bootstrap resamples (default 1000)
  --json              print one JSON object: a, b, samples, level, resamples, accuracy, macroF1,
                      onlyA, onlyB, pValue
  --backend NAME      auto | native | wasm | cpu

examples:
  ferkit compare --models default,paper --data fer2013.csv
  ferkit compare --models runs/a,runs/b --data fer2013.csv --usage PrivateTest --json`;

export async function compareCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...DATA_SELECTION_FLAGS,
    ...stringFlags('models', 'level', 'resamples'),
    ...pickFlags(FACE_FLAGS, 'tta'),
    ...pickFlags(OUTPUT_FLAGS, 'json'),
    ...pickFlags(RECOGNIZER_FLAGS, 'backend'),
  });
  const models = listFlag(v.models) ?? [];
  if (models.length !== 2) throw new FerkitError('BAD_ARGUMENT', `compare needs --models A,B: exactly two models, got ${models.length}`);
  if (!v.data) throw new FerkitError('BAD_ARGUMENT', 'compare needs --data PATH (a FER2013 CSV or an image folder)');
  const intervalOptions = { level: numFlag(v.level, 'level', 0.95), resamples: intFlag(v.resamples, 'resamples', 1000) };
  checkIntervalOptions(intervalOptions); // before the models run
  const engine = await initEngine(backendFlag(v.backend));
  log(`engine: ${engine.backend} (${engine.reason})`);
  const data = await selectForCli(v, log);
  const predictions: Int32Array[] = [];
  let labels: string[] | undefined;
  for (const dir of models) {
    const { classifier, meta, reason } = await loadClassifier(dir, undefined, 'current');
    try {
      if (labels && meta.labels.join() !== labels.join()) {
        throw new FerkitError(
          'BAD_ARGUMENT',
          `the two models name other classes (${labels.join(', ')} against ${meta.labels.join(', ')}); compare models of the same labels`,
        );
      }
      labels = meta.labels;
      const probabilities = await classifierProbabilities(classifier, meta, data.pixels, { tta: Boolean(v.tta) });
      predictions.push(argmaxRows(probabilities, meta.labels.length));
    } finally {
      classifier.dispose();
    }
    log(`model ${predictions.length === 1 ? 'A' : 'B'}: ${dir} (${meta.architecture}); runtime: ${reason}`);
  }
  const c = compareModels(data.labels, predictions[0], predictions[1], labels!.length, intervalOptions);
  out(v.json ? JSON.stringify({ a: models[0], b: models[1], ...c }) + '\n' : formatComparison(models[0], models[1], c));
  return 0;
}
