import { nodePlatform } from '../node/platform.js';
import { isFaceApiExpressionModel } from '../store/face-api-expression.js';
import { resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { initTrainingEngine } from '../node/train-engine.js';
import { classCounts, type Dataset } from '../data/dataset.js';
import { DUPLICATE_THRESHOLD, checkDuplicateThreshold } from '../data/duplicates.js';
import { selectTrainingData } from '../data/select.js';
import { EMOTIONS } from '../core/labels.js';
import { train } from '../train/train.js';
import { PAPER_RECIPE, RECOMMENDED_RECIPE, resolveConfig, type TrainConfig } from '../train/config.js';
import { parseAugment } from '../train/augment.js';
import { resolveModelDir } from '../store/folder.js';
import { progressBar } from './progress.js';
import { intFlag, numFlag, parseFlags, backendFlag, type FlagValues } from './args.js';
import { stepLog } from './data.js';
import { dedupeOption, trainingDataSelection } from '../data/selection-flags.js';
import { booleanFlags, pickFlags, stringFlags } from './option-groups.js';
import { DATA_SELECTION_FLAGS } from '../data/selection-flags.js';

export const TRAIN_HELP = `ferkit train --data PATH [options]

Trains an emotion CNN. Defaults are the paper's recipe: a stratified 4:1
split of the training data, 50 epochs, batch 32, categorical cross-entropy.

  --data PATH          FER2013 CSV (.csv/.csv.gz) or image folder (<root>/<emotion>/*.jpg)
  --usage LIST         rows/sub-folder to train on (default Training; "all" for everything)
  --val PATH           validation data (default: hold out --split of --data)
  --val-usage LIST     usage of the validation data (default PublicTest)
  --split FRACTION     held-out fraction when no --val (default 0.2, the paper's 4:1); 0 trains on
                       every image with no validation (the last epoch is the model: for a recipe
                       already fixed)
  --dedupe             validate without the faces that copy a training face (FER2013 has them: 205
                       of a 10% held-out part), so --keep-best, --early-stopping and --calibrate
                       judge unseen faces
  --dedupe-threshold C cosine similarity of the mean-centred pixels that counts as a copy
                       (default ${DUPLICATE_THRESHOLD})
  --recipe NAME        paper (default) or recommended; the flags below override it
  --arch NAME          architecture from the registry (paper; see \`ferkit info\`)
  --epochs N           paper: 50
  --batch-size N       paper: 32
  --optimizer NAME     adam (default) or sgd (with Nesterov momentum)
  --momentum M         Nesterov momentum of sgd (default 0.9)
  --learning-rate LR   learning rate, the peak with a schedule (paper: 1e-4)
  --schedule NAME      constant (paper), cosine, or plateau (reduce on plateau: the rate times
                       --plateau-factor after --plateau-patience epochs without a better validation
                       accuracy)
  --warmup N           epochs of linear warm-up with cosine or plateau (default 0)
  --plateau-patience N epochs without a better validation accuracy before the rate drops (default 5)
  --plateau-factor F   what the rate is multiplied by then (default 0.5)
  --weight-decay WD    decoupled weight decay on kernels (default 0)
  --class-weights M    none (paper), inverse or effective (effective number of samples)
  --balanced           class-balanced sampling of batches
  --focal GAMMA        focal loss exponent (default 0: cross-entropy)
  --label-smoothing E  label smoothing (default 0)
  --augment SPEC       none (paper), standard, or a list such as
                       flip,shift=0.1,rotate=10,zoom=0.1,brightness=0.2,contrast=0.2,erase=0.25
  --equalize NAME      none (default), histogram or clahe: contrast equalisation of every face, in
                       training and, stored with the model, wherever the model is used
  --mixup ALPHA        mixup: blend every batch with a shuffled copy of itself, images and targets,
                       by a Beta(ALPHA, ALPHA) weight (folded to >= 0.5); 0.2 is usual (default 0:
                       off)
  --keep-best          keep the epoch with the best validation accuracy as the model
  --early-stopping N   stop after N epochs without a better validation accuracy
  --calibrate          fit a temperature on the validation data and store it with the model
  --seed N             seeds the initialisation, shuffling, augmentation, dropout and the split
                       (default 42)
  --split-seed N       seeds the split alone (default: --seed); keep it to train more models on the
                       same held-out part with other draws (independent ensemble members, --init
                       cycles)
  --teacher DIR        distil a trained model (a folder, or a bundled name such as default; an
                       ensemble too; or face-api-expressions, face-api.js's expression net): its
                       probabilities on the training faces, with the mirror image, become soft
                       targets mixed with the labels
  --distill-weight W   weight of the teacher's targets against the labels, 0..1 (default 0.5 with
                       --teacher)
  --distill-temperature T  softening of the teacher, softmax(log p / T) (default 2 with --teacher)
  --ferplus PATH       soft labels from FER+ votes (fer2013new.csv), non-faces dropped
  --out DIR            checkpoints, train-log.jsonl and the final model (default runs/<arch>)
  --resume             continue the run in --out from its last checkpoint
  --init DIR           start from the weights of a model of the same --arch (fine-tuning): a folder
                       \`ferkit train\` saved, or an exported or bundled one (such as default)
  --skip-bad           skip bad rows/images (counted) instead of stopping
  --limit N            read at most N rows (CSV) or N images per class (folder)
  --backend NAME       auto | native | wasm | cpu (default auto)

examples:
  ferkit train --data fer2013.csv                         the paper's recipe, to runs/paper
  ferkit train --data fer2013.csv --recipe recommended --out runs/vgg
  ferkit train --data fer2013.csv --out runs/vgg --resume continue where it stopped
  ferkit train --data faces/ --init default --epochs 10 --learning-rate 1e-5 --out runs/tuned`;

const TRAIN_FLAGS = {
  ...pickFlags(DATA_SELECTION_FLAGS, 'data', 'usage', 'split', 'seed', 'limit', 'skip-bad', 'ferplus', 'dedupe', 'dedupe-threshold'),
  ...stringFlags('val', 'val-usage', 'split-seed', 'out', 'init', 'backend', 'teacher', 'distill-weight', 'distill-temperature'),
  ...stringFlags('recipe', 'arch', 'epochs', 'batch-size', 'learning-rate', 'schedule', 'warmup', 'optimizer', 'momentum'),
  ...stringFlags('plateau-patience', 'plateau-factor', 'weight-decay', 'class-weights', 'focal', 'label-smoothing', 'augment', 'mixup'),
  ...stringFlags('equalize', 'early-stopping'),
  ...booleanFlags('resume', 'balanced', 'keep-best', 'calibrate'),
};

export async function trainCommand(argv: string[], log: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, TRAIN_FLAGS);
  if (!v.data) throw new FerkitError('BAD_ARGUMENT', 'train needs --data PATH (a FER2013 CSV or an image folder)');
  if (v.val && v.split) throw new FerkitError('BAD_ARGUMENT', 'give either --val PATH or --split FRACTION, not both');
  const config = withoutValidation(configFromFlags(v), v);
  if (v['split-seed'] !== undefined && v.val)
    throw new FerkitError('BAD_ARGUMENT', '--split-seed seeds the held-out split; it has no effect with --val PATH, drop one of them');
  const selection = trainingDataSelection(v, config.seed);
  const dedupe = dedupeOption(v);
  if (dedupe) checkDuplicateThreshold(dedupe.threshold); // before the engine starts
  const outDir = resolve(v.out ?? `runs/${config.arch}`);
  // face-api.js's expression net keeps its name (its weights are installed with ferkit); a folder is recorded by its full path
  const teacher = v.teacher ? (isFaceApiExpressionModel(v.teacher) ? v.teacher : resolve(resolveModelDir(v.teacher))) : undefined;
  const engine = await initTrainingEngine(backendFlag(v.backend), {
    architecture: config.arch,
    batchSize: config.batchSize ?? 32,
    ...(teacher ? { teacher } : {}),
  });
  log(`engine: ${engine.backend} (${engine.reason})`);
  if (engine.warning) log(`warning: ${engine.warning}`);
  const { train: trainSet, validation, provenance } = await selectTrainingData(selection, stepLog(log, 'train'));
  logTrainingPlan(log, trainSet, outDir, config, teacher);
  const result = await train({
    train: trainSet,
    validation,
    config,
    outDir,
    resume: Boolean(v.resume),
    onNotice: (message) => log(message),
    ...(v.init ? { init: resolve(resolveModelDir(v.init)) } : {}),
    ...(teacher ? { teacher, startClassifier: nodePlatform().startClassifier } : {}),
    callbacks: [progressBar()],
    provenance,
  });
  const last = result.history[result.history.length - 1];
  if (last)
    log(
      `final: train acc ${(last.accuracy * 100).toFixed(2)}%${last.valAccuracy !== undefined ? `, validation acc ${(last.valAccuracy * 100).toFixed(2)}%` : ''}; model saved in ${outDir}`,
    );
  result.model.dispose();
  return 0;
}

/** What the run trains on, where it writes, and its teacher. */
function logTrainingPlan(log: (s: string) => void, trainSet: Dataset, outDir: string, config: Partial<TrainConfig>, teacher: string | undefined): void {
  const counts = classCounts(trainSet.labels);
  log(`train classes: ${EMOTIONS.map((e, i) => `${e} ${counts[i]}`).join(', ')}`);
  log(`output: ${outDir}`);
  if (teacher) {
    const { distillWeight, distillTemperature } = resolveConfig(config, teacher);
    log(
      `teacher: ${teacher} (weight ${distillWeight}, temperature ${distillTemperature}); it predicts the ${trainSet.count} training faces and their mirror images once, before the first epoch`,
    );
  }
}

/**
 * With `--split 0` nothing is held out, so nothing can pick an epoch, stop a
 * run, lower a rate or fit a temperature: those flags are refused, and a
 * recipe's own keep-best, early stopping and calibration are turned off, so
 * the stored training record says what the run did (its last epoch is the model).
 */
function withoutValidation<C extends Partial<TrainConfig>>(config: C, v: FlagValues<typeof TRAIN_FLAGS>): C {
  if (v.val || v.split === undefined || numFlag(v.split, 'split', 0.2) !== 0) return config;
  const needs = [
    v['keep-best'] && '--keep-best',
    v['early-stopping'] !== undefined && '--early-stopping',
    v.calibrate && '--calibrate',
    config.schedule === 'plateau' && '--schedule plateau',
    v.dedupe && '--dedupe',
  ].filter((f): f is string => typeof f === 'string');
  if (needs.length)
    throw new FerkitError(
      'BAD_ARGUMENT',
      `${needs.join(', ')} need${needs.length === 1 ? 's' : ''} held-out faces, and --split 0 holds out none; drop ${needs.length === 1 ? 'it' : 'them'}, or hold out a part (--split 0.1)`,
      { options: ['split', ...needs] },
    );
  return { ...config, keepBest: false, earlyStopping: 0, calibrate: false };
}

/** The training flags over the chosen recipe; the distillation settings only where given (the library has defaults for a teacher). */
function configFromFlags(v: FlagValues<typeof TRAIN_FLAGS>): Partial<TrainConfig> & Pick<TrainConfig, 'arch' | 'seed'> {
  const recipes: Record<string, TrainConfig> = { paper: PAPER_RECIPE, recommended: RECOMMENDED_RECIPE };
  const recipe = recipes[v.recipe ?? 'paper'];
  if (!recipe) throw new FerkitError('BAD_ARGUMENT', `unknown recipe "${v.recipe}"; use paper or recommended`);
  const { distillWeight: _w, distillTemperature: _t, ...base } = recipe;
  if (!v.teacher && (v['distill-weight'] !== undefined || v['distill-temperature'] !== undefined)) {
    throw new FerkitError('BAD_ARGUMENT', '--distill-weight and --distill-temperature need --teacher DIR (the model to distil)');
  }
  return {
    ...base,
    arch: v.arch ?? base.arch,
    epochs: intFlag(v.epochs, 'epochs', base.epochs),
    batchSize: intFlag(v['batch-size'], 'batch-size', base.batchSize),
    learningRate: numFlag(v['learning-rate'], 'learning-rate', base.learningRate),
    seed: intFlag(v.seed, 'seed', base.seed),
    schedule: (v.schedule ?? base.schedule) as TrainConfig['schedule'],
    warmupEpochs: intFlag(v.warmup, 'warmup', base.warmupEpochs),
    optimizer: (v.optimizer ?? base.optimizer) as TrainConfig['optimizer'],
    momentum: numFlag(v.momentum, 'momentum', base.momentum),
    plateauPatience: intFlag(v['plateau-patience'], 'plateau-patience', base.plateauPatience),
    plateauFactor: numFlag(v['plateau-factor'], 'plateau-factor', base.plateauFactor),
    weightDecay: numFlag(v['weight-decay'], 'weight-decay', base.weightDecay),
    classWeighting: (v['class-weights'] ?? base.classWeighting) as TrainConfig['classWeighting'],
    balancedSampling: v.balanced ?? base.balancedSampling,
    focalGamma: numFlag(v.focal, 'focal', base.focalGamma),
    labelSmoothing: numFlag(v['label-smoothing'], 'label-smoothing', base.labelSmoothing),
    augment: v.augment === undefined ? base.augment : parseAugment(v.augment),
    mixup: numFlag(v.mixup, 'mixup', base.mixup),
    equalize: (v.equalize ?? base.equalize) as TrainConfig['equalize'],
    keepBest: v['keep-best'] ?? base.keepBest,
    earlyStopping: intFlag(v['early-stopping'], 'early-stopping', base.earlyStopping),
    calibrate: v.calibrate ?? base.calibrate,
    ...(v['distill-weight'] !== undefined ? { distillWeight: numFlag(v['distill-weight'], 'distill-weight', 0) } : {}),
    ...(v['distill-temperature'] !== undefined ? { distillTemperature: numFlag(v['distill-temperature'], 'distill-temperature', 0) } : {}),
  };
}
