import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { defaultModelDir, loadModel } from '../store/folder.js';
import { evaluate } from '../eval/evaluate.js';
import { writeReport } from '../eval/report.js';
import { intFlag, parseFlags, backendFlag } from './args.js';
import { selectForCli } from './data.js';
import { FACE_FLAGS, pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';
import { DATA_SELECTION_FLAGS } from '../data/selection-flags.js';

export const REPORT_HELP = `ferkit report --data PATH --out DIR [options]

Evaluates a model and writes a report: report.html (figures, per-class table,
model metadata), confusion.svg and confusion.png, per-class.svg,
reliability.svg (calibration) and metrics.json.

  --model DIR         model folder, or a bundled model: default, fast (the fast model) or paper
  --data PATH         FER2013 CSV or image folder
  --out DIR           where to write the report (required)
  --usage LIST, --split F --seed N --part heldout|train, --ferplus PATH, --dedupe,
  --dedupe-threshold C, --limit N, --skip-bad
                      as for eval
  --tta               flip test-time augmentation
  --mistakes N        show the N most confident mistakes in report.html: each face with its label,
                      the prediction and its probability (copies of the data: mind its licence)
  --backend NAME      auto | native | wasm | cpu

examples:
  ferkit report --data fer2013.csv --out report/
  ferkit report --data fer2013.csv --model runs/vgg --usage PrivateTest --mistakes 20 --out report/`;

export async function reportCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...DATA_SELECTION_FLAGS,
    ...pickFlags(RECOGNIZER_FLAGS, 'model', 'backend'),
    ...pickFlags(FACE_FLAGS, 'tta'),
    ...stringFlags('out', 'mistakes'),
  });
  if (!v.data || !v.out) throw new FerkitError('BAD_ARGUMENT', 'report needs --data PATH and --out DIR');
  const mistakes = intFlag(v.mistakes, 'mistakes', 0);
  if (mistakes < 0) throw new FerkitError('BAD_ARGUMENT', `--mistakes must be 0 or more, got ${mistakes}`);
  await initEngine(backendFlag(v.backend));
  const modelDir = v.model ?? defaultModelDir();
  const { model, meta } = await loadModel(modelDir);
  const data = await selectForCli(v, log);
  const { probabilities, ece, ...metrics } = await evaluate(model, data, meta.labels, { meta, tta: Boolean(v.tta) });
  model.dispose();
  const description = `${v.data}${v.split ? `, ${v.part ?? 'heldout'} part of a ${v.split} stratified split (seed ${v.seed ?? 42})` : `, usage ${v.usage ?? 'PublicTest'}`}${v.ferplus ? ', FER+ majority labels' : ''}${v.dedupe ? ', without copies of training faces' : ''}${v.tta ? ', flip TTA' : ''}`;
  const files = await writeReport(v.out, {
    metrics,
    ece,
    probabilities,
    trueLabels: data.labels,
    meta,
    modelDir,
    dataDescription: description,
    faces: data,
    mistakes,
  });
  out(
    `accuracy ${(metrics.accuracy * 100).toFixed(2)}%, macro-F1 ${metrics.macroF1.toFixed(3)}, ECE ${ece.toFixed(4)} on ${metrics.samples} images\nwrote ${files.map((f) => `${v.out}/${f}`).join(', ')}\n`,
  );
  return 0;
}
