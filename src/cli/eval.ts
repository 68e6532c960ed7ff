import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { defaultModelDir } from '../store/folder.js';
import { loadClassifier } from '../node/emotion-model.js';
import { evaluate } from '../eval/evaluate.js';
import { describeCalibration, formatMetrics, predictionsCsv } from '../eval/format.js';
import { intFlag, numFlag, parseFlags, usageFlag, backendFlag, runtimeFlag, detectorFlag } from './args.js';
import { createRecognizer } from '../node/index.js';
import { evaluateWithDetection } from '../eval/detect.js';
import { DATA_SELECTION_FLAGS, selectForCli } from './data.js';
import { DUPLICATE_THRESHOLD } from '../data/duplicates.js';
import type { TestTimeAugmentation } from '../core/models/tta.js';

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

/** The test-time augmentation the flags ask for. */
function ttaOf(v: { tta?: boolean; 'ten-crop'?: boolean }): TestTimeAugmentation {
  if (v.tta && v['ten-crop']) throw new FerkitError('BAD_ARGUMENT', '--tta and --ten-crop are two test-time augmentations: give one');
  return v['ten-crop'] ? 'ten-crop' : Boolean(v.tta);
}

export async function evalCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...DATA_SELECTION_FLAGS,
    model: { type: 'string' },
    json: { type: 'boolean' },
    backend: { type: 'string' },
    runtime: { type: 'string' },
    detect: { type: 'boolean' },
    crops: { type: 'boolean' },
    detector: { type: 'string' },
    'min-confidence': { type: 'string' },
    tta: { type: 'boolean' },
    'ten-crop': { type: 'boolean' },
    predictions: { type: 'string' },
  });
  if (!v.data) throw new FerkitError('BAD_ARGUMENT', 'eval needs --data PATH (a FER2013 CSV or an image folder)');
  if ((v.crops || v.detector) && !v.detect) throw new FerkitError('BAD_ARGUMENT', `--${v.crops ? 'crops' : 'detector'} goes with --detect`);
  if (v.detect) {
    if (v.ferplus) throw new FerkitError('BAD_ARGUMENT', '--ferplus applies to the FER2013 CSV, not to --detect');
    if (v.dedupe) throw new FerkitError('BAD_ARGUMENT', '--dedupe compares cropped faces; it does not apply to --detect');
    if (v.predictions)
      throw new FerkitError('BAD_ARGUMENT', "--predictions writes cropped faces' probabilities; with --detect, use `ferkit predict --csv` on the pictures");
    return detectEval(v, log, out);
  }
  const engine = await initEngine(backendFlag(v.backend));
  log(`engine: ${engine.backend} (${engine.reason})`);
  const modelDir = v.model ?? defaultModelDir();
  const { classifier, reason, meta } = await loadClassifier(modelDir, runtimeFlag(v.runtime), 'current');
  log(`model: ${modelDir} (${meta.architecture}); runtime: ${reason}`);
  const data = await selectForCli(v, log);
  let result;
  try {
    result = await evaluate(classifier, data, meta.labels, { meta, tta: ttaOf(v) });
  } finally {
    classifier.dispose();
  }
  const { probabilities, ece, uncertainty, ...metrics } = result;
  if (v.predictions) {
    mkdirSync(dirname(resolve(v.predictions)), { recursive: true });
    writeFileSync(v.predictions, predictionsCsv(data, probabilities, meta.labels));
    log(`wrote ${data.count} predictions to ${v.predictions}`);
  }
  const calibration = describeCalibration(meta.calibration, meta.labels);
  const u = uncertainty;
  const uncertain = u.flagged
    ? `answers below confidence ${u.threshold.toFixed(2)} are more often wrong than right: ${(u.flagged * 100).toFixed(1)}% of the faces, ${(u.flaggedAccuracy * 100).toFixed(1)}% right; the others ${(u.keptAccuracy * 100).toFixed(1)}% right`
    : 'answers are at least as often right as wrong at every confidence';
  out(
    v.json
      ? JSON.stringify({ ...metrics, ece, uncertainty }) + '\n'
      : `${formatMetrics(metrics)}\nexpected calibration error ${ece.toFixed(4)}; ${calibration}${v['ten-crop'] ? '; with ten-crop test-time augmentation' : v.tta ? '; with flip test-time augmentation' : ''}\nuncertain: ${uncertain}\n`,
  );
  return 0;
}

async function detectEval(
  v: {
    data?: string;
    usage?: string;
    model?: string;
    json?: boolean;
    limit?: string;
    backend?: string;
    runtime?: string;
    'skip-bad'?: boolean;
    'min-confidence'?: string;
    split?: string;
    tta?: boolean;
    'ten-crop'?: boolean;
    crops?: boolean;
    detector?: string;
  },
  log: (s: string) => void,
  out: (s: string) => void,
): Promise<number> {
  if (v.split) throw new FerkitError('BAD_ARGUMENT', '--split applies to cropped datasets, not to --detect');
  const usage = usageFlag(v.usage, 'PublicTest');
  const recognizer = await createRecognizer({
    ...(v.model ? { model: v.model } : {}),
    ...(v.backend ? { backend: backendFlag(v.backend) } : {}),
    ...(v.runtime ? { runtime: runtimeFlag(v.runtime) } : {}),
    detector: { kind: detectorFlag(v.detector), minConfidence: numFlag(v['min-confidence'], 'min-confidence', 0.5) },
    tta: ttaOf(v),
  });
  log(
    `engine: ${recognizer.engine.backend} (${recognizer.engine.reason}); model: ${recognizer.meta.architecture}; runtime: ${recognizer.runtimeReason}; detecting faces first`,
  );
  const tty = Boolean(process.stderr.isTTY);
  try {
    const r = await evaluateWithDetection(recognizer, v.data!, {
      ...(usage ? { usage } : {}),
      ...(v.limit ? { limit: intFlag(v.limit, 'limit', 0) } : {}),
      ...(v['skip-bad'] ? { skipBad: true } : {}),
      ...(v.crops ? { crops: true } : {}),
      onProgress: (d, t) => {
        if (tty && (d % 20 === 0 || d === t)) process.stderr.write(`\r\x1b[2K${d}/${t} images`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    if (v.json) out(JSON.stringify(r) + '\n');
    else {
      const { images, noFace, noFaceExamples, failed, foundRate, cropped, ...metrics } = r;
      const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
      out(
        `images    ${images}; a face found in ${pct(foundRate)}, none in ${noFace}${failed ? `; ${failed} unreadable` : ''} (left out of the figures below)\n`,
      );
      if (noFaceExamples.length) out(`no face: ${noFaceExamples.slice(0, 5).join(', ')}${noFace > 5 ? ', ...' : ''}\n`);
      out('\n' + formatMetrics(metrics));
      if (cropped)
        out(
          `\nthe same ${metrics.samples} images' own crops, classified as they are: accuracy ${pct(cropped.accuracy)} (95% CI ${pct(cropped.interval[0])}-${pct(
            cropped.interval[1],
          )}); on all ${cropped.samplesAll} decoded images ${pct(cropped.accuracyAll)}\n`,
        );
    }
    return 0;
  } finally {
    recognizer.dispose();
  }
}
