import { resolve } from 'node:path';
import { FerkitError } from '../errors.js';
import { initEngine } from '../engine/index.js';
import { classCounts, subset } from '../data/dataset.js';
import { isCsvPath } from '../data/load.js';
import { readFerPlus, withFerPlus } from '../data/ferplus.js';
import { stratifiedSplit } from '../data/split.js';
import { EMOTIONS } from '../labels.js';
import { PAPER_RECIPE, train } from '../train/train.js';
import { progressBar } from './progress.js';
import { intFlag, listFlag, numFlag, parseFlags } from './args.js';
import { loadForCli } from './data.js';

export const TRAIN_HELP = `ferkit train --data PATH [options]

Trains an emotion CNN. Defaults are the paper's recipe: a stratified 4:1
split of the training data, 50 epochs, batch 32, categorical cross-entropy.

  --data PATH          FER2013 CSV (.csv/.csv.gz) or image folder (<root>/<emotion>/*.jpg)
  --usage LIST         rows/sub-folder to train on (default Training; "all" for everything)
  --val PATH           validation data (default: hold out --split of --data)
  --val-usage LIST     usage of the validation data (default PublicTest)
  --split FRACTION     held-out fraction when no --val (default 0.2, the paper's 4:1)
  --arch NAME          architecture from the registry (default paper; see \`ferkit info\`)
  --epochs N           default 50
  --batch-size N       default 32
  --learning-rate LR   Adam learning rate (default 1e-4)
  --seed N             seeds the split, initialisation, shuffling, dropout (default 42)
  --ferplus PATH       soft labels from FER+ votes (fer2013new.csv), non-faces dropped
  --out DIR            checkpoints, train-log.jsonl and the final model (default runs/<arch>)
  --resume             continue the run in --out from its last checkpoint
  --skip-bad           skip bad rows/images (counted) instead of stopping
  --limit N            read at most N rows (CSV) or N images per class (folder)
  --backend NAME       auto | native | wasm | cpu (default auto)`;

export async function trainCommand(argv: string[], log: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    data: { type: 'string' }, usage: { type: 'string' }, val: { type: 'string' }, 'val-usage': { type: 'string' },
    split: { type: 'string' }, arch: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' }, seed: { type: 'string' }, ferplus: { type: 'string' }, out: { type: 'string' },
    resume: { type: 'boolean' }, 'skip-bad': { type: 'boolean' }, limit: { type: 'string' }, backend: { type: 'string' },
  });
  if (!v.data) throw new FerkitError('BAD_ARGUMENT', 'train needs --data PATH (a FER2013 CSV or an image folder)');
  if (v.val && v.split) throw new FerkitError('BAD_ARGUMENT', 'give either --val PATH or --split FRACTION, not both');
  const config = {
    arch: v.arch ?? PAPER_RECIPE.arch,
    epochs: intFlag(v.epochs, 'epochs', PAPER_RECIPE.epochs),
    batchSize: intFlag(v['batch-size'], 'batch-size', PAPER_RECIPE.batchSize),
    learningRate: numFlag(v['learning-rate'], 'learning-rate', PAPER_RECIPE.learningRate),
    seed: intFlag(v.seed, 'seed', PAPER_RECIPE.seed),
  };
  const split = numFlag(v.split, 'split', 0.2);
  const limit = v.limit === undefined ? undefined : intFlag(v.limit, 'limit', 0);
  const usageList = listFlag(v.usage) ?? ['Training'];
  const usage = usageList.length === 1 && usageList[0].toLowerCase() === 'all' ? undefined : usageList;
  const outDir = resolve(v.out ?? `runs/${config.arch}`);

  const engine = await initEngine((v.backend ?? process.env.FERKIT_BACKEND ?? 'auto') as 'auto', { training: true });
  log(`engine: ${engine.backend} (${engine.reason})`);
  if (engine.warning) log(`warning: ${engine.warning}`);

  const common = { ...(v['skip-bad'] ? { skipBad: true } : {}), ...(limit ? { limit } : {}) };
  let data = await loadForCli(v.data, { ...(usage ? { usage } : {}), ...common }, log);
  if (v.ferplus) {
    if (!isCsvPath(v.data)) throw new FerkitError('BAD_ARGUMENT', '--ferplus needs --data to be the FER2013 CSV its rows align with');
    const r = withFerPlus(data, readFerPlus(v.ferplus));
    data = r.dataset;
    log(`FER+ soft labels attached; dropped ${r.dropped.notFace} non-faces and ${r.dropped.unvoted} unvoted images`);
  }
  let trainSet = data;
  let valSet;
  let splitInfo: Record<string, unknown>;
  if (v.val) {
    valSet = await loadForCli(v.val, { usage: listFlag(v['val-usage']) ?? ['PublicTest'], ...common }, log);
    splitInfo = { validation: v.val, validationUsage: listFlag(v['val-usage']) ?? ['PublicTest'] };
  } else {
    const parts = stratifiedSplit(data.labels, split, config.seed);
    trainSet = subset(data, parts.train);
    valSet = subset(data, parts.test);
    splitInfo = { split, splitSeed: config.seed };
    log(`stratified split ${Math.round((1 - split) * 100)}:${Math.round(split * 100)} (seed ${config.seed}): ${trainSet.count} train, ${valSet.count} held out`);
  }
  const counts = classCounts(trainSet.labels);
  log(`train classes: ${EMOTIONS.map((e, i) => `${e} ${counts[i]}`).join(', ')}`);
  log(`output: ${outDir}`);
  const result = await train({
    train: trainSet,
    validation: valSet,
    config,
    outDir,
    resume: Boolean(v.resume),
    callbacks: [progressBar()],
    provenance: { data: v.data, usage: usage ?? 'all', ...(v.ferplus ? { ferplus: v.ferplus } : {}), ...splitInfo, ...(limit ? { limit } : {}) },
  });
  const last = result.history[result.history.length - 1];
  if (last) log(`final: train acc ${(last.accuracy * 100).toFixed(2)}%${last.valAccuracy !== undefined ? `, validation acc ${(last.valAccuracy * 100).toFixed(2)}%` : ''}; model saved in ${outDir}`);
  result.model.dispose();
  return 0;
}
