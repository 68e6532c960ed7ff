import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { defaultModelDir } from '../store/folder.js';
import { loadClassifier } from '../node/emotion-model.js';
import { evaluate } from '../eval/evaluate.js';
import { describeCalibration, formatDetectionEvaluation, formatEvaluation, predictionsCsv } from '../eval/format.js';
import { intFlag, parseFlags, usageFlag, type FlagValues } from './args.js';
import { createRecognizer } from '../node/index.js';
import { evaluateWithDetection } from '../eval/detect.js';
import { selectForCli } from './data.js';
import { booleanFlags, FACE_FLAGS, OUTPUT_FLAGS, pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';
import { DATA_SELECTION_FLAGS } from '../data/selection-flags.js';
import { recognizerOptions } from './recognizer-options.js';
import { StatusLine } from './terminal.js';
import { DUPLICATE_THRESHOLD } from '../data/duplicates.js';

export const EVAL_HELP = `ferkit eval --data PATH [options]

Evaluates a model: sample count, accuracy, macro-F1, per-class precision,
recall, F1 and support, and the confusion matrix (rows = true label).

  --data PATH         FER2013 CSV (.csv/.csv.gz) or image folder
  --usage LIST        rows/sub-folder to evaluate (default PublicTest; "all" for everything)
  --model DIR         model folder, or a bundled model: default, fast (the fast model) or paper; or
                      face-api-expressions (face-api.js's expression net, docs/models.md)
  --split FRACTION    evaluate one part of the stratified split \`ferkit train\` made
  --seed N            seed of that split (default 42)
  --part heldout|train  which part of the split (default heldout)
  --detect            run the whole path: detect the faces, classify the largest (image folders
                      only; reports how often a face was found; images without one are counted, not
                      scored)
  --crops             with --detect, the images are face crops (as FER2013's and CK+48's): each is
                      placed 4x larger in a picture with room around it for the detector, and the
                      crops' own accuracy on the same images is reported beside the pipeline's
  --detector NAME     with --detect: auto (default), fast (the fast detector) or accurate (see
                      ferkit help predict)
  --min-confidence P  face detection threshold with --detect (default 0.5)
  --ferplus PATH      score against the FER+ crowd majority (fer2013new.csv) instead of the FER2013
                      labels; images whose majority is not one of the seven emotions (not a face,
                      contempt, unknown) are left out (FER2013 CSV data only)
  --dedupe            leave out faces that are copies of a training face (of a Training row, or with
                      --split of the training part): FER2013 has such copies in PublicTest and
                      PrivateTest, and a model scores them as faces it has seen
  --dedupe-threshold C  cosine similarity of the mean-centred pixels that counts as a copy (default
                        ${DUPLICATE_THRESHOLD})
  --tta               average each face with its mirror image (test-time augmentation)
  --ten-crop          average over ten views instead: the corners and centre at 90% of the side, and
                      their mirror images (ten times the model's work)
  --predictions FILE  also write one CSV row per image: id, row, label, predicted, confidence,
                      correct, then each class's probability (for error analysis; not with --detect)
  --json              print one JSON object: samples, accuracy, macroF1, labels, perClass,
                      confusion, intervals (with --detect also images, noFace, noFaceExamples,
                      failed, foundRate, and with --crops cropped)
  --skip-bad          skip bad rows/images (counted) instead of stopping
  --limit N           read at most N rows (CSV) or N images per class (folder)
  --backend NAME      auto | native | wasm | cpu
  --runtime NAME      auto | onnx (ONNX Runtime) | tfjs: what runs the emotion model (default auto:
                      ONNX Runtime where it loads)

examples:
  ferkit eval --data fer2013.csv                          the default model on PublicTest
  ferkit eval --data fer2013.csv --model fast --usage PrivateTest --json
  ferkit eval --data photos-by-emotion/ --detect          detection and recognition together`;

const EVAL_FLAGS = {
  ...DATA_SELECTION_FLAGS,
  ...RECOGNIZER_FLAGS,
  ...pickFlags(FACE_FLAGS, 'crops', 'tta'),
  ...pickFlags(OUTPUT_FLAGS, 'json'),
  ...booleanFlags('detect', 'ten-crop'),
  ...stringFlags('predictions'),
};

type EvalFlags = FlagValues<typeof EVAL_FLAGS>;

export async function evalCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, EVAL_FLAGS);
  if (!v.data) throw new FerkitError('BAD_ARGUMENT', 'eval needs --data PATH (a FER2013 CSV or an image folder)');
  if ((v.crops || v.detector) && !v.detect) throw new FerkitError('BAD_ARGUMENT', `--${v.crops ? 'crops' : 'detector'} goes with --detect`);
  if (v.detect) {
    if (v.ferplus) throw new FerkitError('BAD_ARGUMENT', '--ferplus applies to the FER2013 CSV, not to --detect');
    if (v.dedupe) throw new FerkitError('BAD_ARGUMENT', '--dedupe compares cropped faces; it does not apply to --detect');
    if (v.predictions)
      throw new FerkitError('BAD_ARGUMENT', "--predictions writes cropped faces' probabilities; with --detect, use `ferkit predict --csv` on the pictures");
    if (v.split) throw new FerkitError('BAD_ARGUMENT', '--split applies to cropped datasets, not to --detect');
    return detectEval(v, log, out);
  }
  return cropEval(v, log, out);
}

/** The model on cropped faces. */
async function cropEval(v: EvalFlags, log: (s: string) => void, out: (s: string) => void): Promise<number> {
  // eval's --crops says what the pictures are (with --detect), not that the recognizer skips detection
  const { crops: _crops, ...flags } = v;
  const { model, backend, runtime, tta = false } = recognizerOptions(flags);
  const engine = await initEngine(backend);
  log(`engine: ${engine.backend} (${engine.reason})`);
  const modelDir = model ?? defaultModelDir();
  const { classifier, reason, meta } = await loadClassifier(modelDir, runtime, 'current');
  log(`model: ${modelDir} (${meta.architecture}); runtime: ${reason}`);
  const data = await selectForCli(v, log);
  let result;
  try {
    result = await evaluate(classifier, data, meta.labels, { meta, tta });
  } finally {
    classifier.dispose();
  }
  const { probabilities, ece, uncertainty, ...metrics } = result;
  if (v.predictions) {
    mkdirSync(dirname(resolve(v.predictions)), { recursive: true });
    writeFileSync(v.predictions, predictionsCsv(data, probabilities, meta.labels));
    log(`wrote ${data.count} predictions to ${v.predictions}`);
  }
  out(
    v.json
      ? JSON.stringify({ ...metrics, ece, uncertainty }) + '\n'
      : formatEvaluation(metrics, ece, uncertainty, describeCalibration(meta.calibration, meta.labels), tta),
  );
  return 0;
}

/** The whole path on pictures: detection, then the model on the largest face. */
async function detectEval(v: EvalFlags, log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const usage = usageFlag(v.usage, 'PublicTest');
  const { crops, ...flags } = v;
  const recognizer = await createRecognizer(recognizerOptions(flags));
  log(
    `engine: ${recognizer.engine.backend} (${recognizer.engine.reason}); model: ${recognizer.meta.architecture}; runtime: ${recognizer.runtimeReason}; detecting faces first`,
  );
  const status = new StatusLine();
  try {
    const r = await evaluateWithDetection(recognizer, v.data!, {
      ...(usage ? { usage } : {}),
      ...(v.limit ? { limit: intFlag(v.limit, 'limit', 0) } : {}),
      ...(v['skip-bad'] ? { skipBad: true } : {}),
      ...(crops ? { crops: true } : {}),
      onProgress: (d, t) => {
        if (d % 20 === 0 || d === t) status.show(`${d}/${t} images`);
      },
    });
    status.clear();
    out(v.json ? JSON.stringify(r) + '\n' : formatDetectionEvaluation(r));
    return 0;
  } finally {
    recognizer.dispose();
  }
}
