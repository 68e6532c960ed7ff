import { FerkitError } from '../core/errors.js';
import { subset, type Dataset, type ReadReport } from './dataset.js';
import { isCsvPath, loadDataset } from './load.js';
import { readFerPlus, withFerPlus, type FerPlusDropped } from './ferplus.js';
import { stratifiedSplit } from './split.js';
import { DUPLICATE_THRESHOLD, checkDuplicateThreshold, withoutCopies } from './duplicates.js';

/** FER2013 `Usage` values (or image sub-folders) to read; `all` reads everything. */
export type Usage = readonly string[] | 'all';

/** Leave out faces that copy a training face; `threshold` is the cosine similarity that counts as a copy (default DUPLICATE_THRESHOLD). */
export type Dedupe = boolean | { threshold?: number };

/** Which images to evaluate (or calibrate, compare, report) on. */
export interface DataSelection {
  /** FER2013 CSV (.csv/.csv.gz) or image folder (<root>/<emotion>/*.jpg). */
  data: string;
  /** Default `['PublicTest']`; `['Training']` with `split` (the rows a split is made of). */
  usage?: Usage;
  /**
   * One part of the stratified split that training makes of the same rows:
   * `fraction` held out, `seed` (default 42), `part` (default `heldout`).
   */
  split?: { fraction: number; seed?: number; part?: 'heldout' | 'train' };
  /** Read at most this many rows (CSV) or images per class (folder); 0 or unset: all. */
  limit?: number;
  /** Skip bad rows and images (counted in the read step) instead of stopping. */
  skipBad?: boolean;
  /**
   * FER+ votes (fer2013new.csv): the labels become the majority vote, and
   * images whose majority is not one of the seven emotions are left out.
   * Needs `data` to be the FER2013 CSV.
   */
  ferplus?: string;
  /** Leave out the images that copy a training face (a Training row, or with `split` one of the training part). */
  dedupe?: Dedupe;
}

/** Which images to train and validate on. */
export interface TrainingDataSelection {
  /** FER2013 CSV (.csv/.csv.gz) or image folder. */
  data: string;
  /** Default `['Training']`. */
  usage?: Usage;
  /** Validation images from `data` (with `usage`, default `['PublicTest']`) instead of a held-out part of the training images. */
  validation?: { data: string; usage?: Usage };
  /**
   * Without `validation`: hold out `fraction` (default 0.2, the paper's 4:1)
   * of the training images, stratified, by `seed` (default 42). Fraction 0
   * holds out nothing: every image trains, and there is no validation (for
   * the last run of a recipe whose settings a held-out part has fixed).
   */
  split?: { fraction?: number; seed?: number };
  /** Read at most this many rows (CSV) or images per class (folder); 0 or unset: all. */
  limit?: number;
  skipBad?: boolean;
  /** FER+ votes (fer2013new.csv) as soft labels of the training images; non-faces and unvoted images dropped. Needs `data` to be the FER2013 CSV. */
  ferplus?: string;
  /** Validate without the faces that copy a training face. */
  dedupe?: Dedupe;
}

export interface TrainingData {
  train: Dataset;
  /** Absent with a split of fraction 0. */
  validation?: Dataset;
  /** The facts that chose the images, for `TrainOptions.provenance` (stored with the model, compared on resume). */
  provenance: Record<string, unknown>;
}

/** One step of a selection, as it completes: for a progress log. */
export type SelectionStep =
  | { step: 'read'; path: string; usage?: readonly string[]; count: number; seconds: number; report: ReadReport }
  | { step: 'ferplus'; path: string; soft: boolean; dropped: FerPlusDropped; count: number }
  | { step: 'split'; fraction: number; seed: number; part: 'heldout' | 'train'; train: number; heldOut: number }
  | { step: 'dedupe'; threshold: number; copies: number; sameLabel: number; reference: number; count: number };

export type OnStep = (step: SelectionStep) => void;

function usageList(usage: Usage | undefined, fallback: string): readonly string[] | undefined {
  return usage === 'all' ? undefined : (usage ?? [fallback]);
}

function dedupeThreshold(dedupe: Dedupe | undefined): number | undefined {
  if (!dedupe) return undefined;
  const threshold = dedupe === true ? DUPLICATE_THRESHOLD : (dedupe.threshold ?? DUPLICATE_THRESHOLD);
  checkDuplicateThreshold(threshold);
  return threshold;
}

function checkFerPlus(options: { data: string; ferplus?: string }): void {
  if (options.ferplus && !isCsvPath(options.data)) {
    throw new FerkitError('BAD_ARGUMENT', `ferplus votes align with the rows of the FER2013 CSV; set data to that CSV, not ${options.data}`, {
      options: ['ferplus', 'data'],
    });
  }
}

/** Reads a dataset and reports the read step. */
async function read(path: string, options: { usage?: readonly string[]; skipBad?: boolean; limit?: number }, onStep?: OnStep): Promise<Dataset> {
  const t0 = performance.now();
  const { usage, skipBad, limit } = options;
  const { dataset, report } = await loadDataset(path, { ...(usage ? { usage } : {}), ...(skipBad ? { skipBad } : {}), ...(limit ? { limit } : {}) });
  onStep?.({ step: 'read', path, ...(usage ? { usage } : {}), count: dataset.count, seconds: (performance.now() - t0) / 1000, report });
  return dataset;
}

/**
 * Loads the images a selection names and, with `split`, one part of the
 * stratified split (made on the FER2013 labels, as training makes it). With
 * `dedupe`, leaves out copies of training faces; with `ferplus`, the labels
 * become the FER+ majority votes. Reports each step to `onStep`.
 */
export async function selectData(options: DataSelection, onStep?: OnStep): Promise<Dataset> {
  const { split } = options;
  const part = split?.part ?? 'heldout';
  checkFerPlus(options);
  if (!['heldout', 'train'].includes(part))
    throw new FerkitError('BAD_ARGUMENT', `split.part must be heldout or train, got ${part}`, { options: ['split.part'] });
  const usage = usageList(options.usage, split ? 'Training' : 'PublicTest');
  const threshold = dedupeThreshold(options.dedupe);
  if (threshold !== undefined) {
    if (part === 'train' && split)
      throw new FerkitError(
        'BAD_ARGUMENT',
        'dedupe leaves out copies of training faces; the training part of a split is those faces. Use it with the held-out part or test rows',
        { options: ['dedupe', 'split.part'] },
      );
    if (!split && (!usage || usage.some((u) => u.toLowerCase() === 'training')))
      throw new FerkitError(
        'BAD_ARGUMENT',
        'dedupe compares the images with the Training rows; select other rows (usage PublicTest) or the held-out part of a split',
        { options: ['dedupe', 'usage', 'split'] },
      );
  }
  let data = await read(options.data, { ...(usage ? { usage } : {}), skipBad: options.skipBad, limit: options.limit }, onStep);
  let training: Dataset | undefined;
  if (split) {
    const seed = split.seed ?? 42;
    const parts = stratifiedSplit(data.labels, split.fraction, seed);
    if (threshold !== undefined) training = subset(data, parts.train);
    data = subset(data, part === 'heldout' ? parts.test : parts.train);
    onStep?.({ step: 'split', fraction: split.fraction, seed, part, train: parts.train.length, heldOut: parts.test.length });
  }
  if (threshold !== undefined) {
    training ??= await read(options.data, { usage: ['Training'], skipBad: options.skipBad }, onStep);
    const r = await withoutCopies(data, training, threshold);
    data = r.dataset;
    onStep?.({ step: 'dedupe', threshold, copies: r.copies, sameLabel: r.sameLabel, reference: training.count, count: data.count });
  }
  if (options.ferplus) {
    const r = withFerPlus(data, readFerPlus(options.ferplus), { dropOtherMajority: true });
    data = r.dataset;
    onStep?.({ step: 'ferplus', path: options.ferplus, soft: false, dropped: r.dropped, count: data.count });
  }
  if (data.count === 0) throw new FerkitError('BAD_DATA', `no images in ${options.data} for this selection; check usage`, { options: ['usage'] });
  return data;
}

/**
 * Loads the training images (with FER+ soft labels when `ferplus` is set)
 * and the validation images: another file's, or a stratified held-out part of
 * the training images. With `dedupe`, validation leaves out copies of
 * training faces. Returns both with the provenance facts that chose them.
 */
export async function selectTrainingData(options: TrainingDataSelection, onStep?: OnStep): Promise<TrainingData> {
  if (options.validation && options.split)
    throw new FerkitError('BAD_ARGUMENT', 'give either validation data or a split of the training data, not both', { options: ['validation', 'split'] });
  checkFerPlus(options);
  const threshold = dedupeThreshold(options.dedupe);
  const usage = usageList(options.usage, 'Training');
  const common = { skipBad: options.skipBad, limit: options.limit };
  const data = await read(options.data, { ...(usage ? { usage } : {}), ...common }, onStep);
  let train = data;
  let validation: Dataset | undefined;
  let splitInfo: Record<string, unknown>;
  if (options.split?.fraction === 0) {
    if (threshold !== undefined)
      throw new FerkitError('BAD_ARGUMENT', 'dedupe leaves copies out of the validation images, and a split of 0 has none; drop one of them', {
        options: ['dedupe', 'split.fraction'],
      });
    splitInfo = { split: 0 };
    onStep?.({ step: 'split', fraction: 0, seed: options.split.seed ?? 42, part: 'heldout', train: train.count, heldOut: 0 });
  } else if (options.validation) {
    const validationUsage = options.validation.usage ?? ['PublicTest'];
    validation = await read(options.validation.data, { ...(validationUsage !== 'all' ? { usage: validationUsage } : {}), ...common }, onStep);
    splitInfo = { validation: options.validation.data, validationUsage };
  } else {
    const fraction = options.split?.fraction ?? 0.2;
    const seed = options.split?.seed ?? 42;
    const parts = stratifiedSplit(data.labels, fraction, seed);
    train = subset(data, parts.train);
    validation = subset(data, parts.test);
    splitInfo = { split: fraction, splitSeed: seed };
    onStep?.({ step: 'split', fraction, seed, part: 'heldout', train: train.count, heldOut: validation.count });
  }
  if (options.ferplus) {
    // after the split, which is made on the FER2013 labels: the held-out rows are
    // the same with and without FER+, and the same ones `selectData` evaluates
    const votes = readFerPlus(options.ferplus);
    const t = withFerPlus(train, votes);
    train = t.dataset;
    const dropped = { ...t.dropped };
    if (validation && !options.validation) {
      const v = withFerPlus(validation, votes);
      validation = v.dataset;
      for (const k of Object.keys(dropped) as (keyof FerPlusDropped)[]) dropped[k] += v.dropped[k];
    }
    onStep?.({ step: 'ferplus', path: options.ferplus, soft: true, dropped, count: train.count });
  }
  if (threshold !== undefined && validation) {
    const r = await withoutCopies(validation, train, threshold);
    validation = r.dataset;
    splitInfo.dedupe = threshold;
    onStep?.({ step: 'dedupe', threshold, copies: r.copies, sameLabel: r.sameLabel, reference: train.count, count: validation.count });
  }
  const provenance = {
    data: options.data,
    usage: usage ?? 'all',
    ...(options.ferplus ? { ferplus: options.ferplus } : {}),
    ...splitInfo,
    ...(options.limit ? { limit: options.limit } : {}),
  };
  return { train, ...(validation ? { validation } : {}), provenance };
}
