import type { Dataset } from '../data/dataset.js';
import { DUPLICATE_THRESHOLD } from '../data/duplicates.js';
import { selectData, type DataSelection, type OnStep } from '../data/select.js';
import { FerkitError } from '../core/errors.js';
import { intFlag, numFlag, usageFlag } from './args.js';

/** Flags that choose the images a command evaluates (or calibrates) on. */
export interface DataSelectionFlags {
  data?: string;
  usage?: string;
  split?: string;
  seed?: string;
  part?: string;
  limit?: string;
  'skip-bad'?: boolean;
  ferplus?: string;
  dedupe?: boolean;
  'dedupe-threshold'?: string;
}

/** The flags of `DataSelectionFlags` for parseFlags (commands add their own). */
export const DATA_SELECTION_FLAGS = {
  data: { type: 'string' },
  usage: { type: 'string' },
  split: { type: 'string' },
  seed: { type: 'string' },
  part: { type: 'string' },
  limit: { type: 'string' },
  'skip-bad': { type: 'boolean' },
  ferplus: { type: 'string' },
  dedupe: { type: 'boolean' },
  'dedupe-threshold': { type: 'string' },
} as const;

/** The --usage flag as the library's `usage`: undefined when absent (the library's default), `all` for everything. */
export function usageOption(value: string | undefined): DataSelection['usage'] {
  return value === undefined ? undefined : (usageFlag(value, '') ?? 'all');
}

/** The --dedupe and --dedupe-threshold flags as the library's `dedupe`. */
export function dedupeOption(v: { dedupe?: boolean; 'dedupe-threshold'?: string }): { threshold: number } | undefined {
  if (v['dedupe-threshold'] !== undefined && !v.dedupe) throw new FerkitError('BAD_ARGUMENT', '--dedupe-threshold needs --dedupe');
  return v.dedupe ? { threshold: numFlag(v['dedupe-threshold'], 'dedupe-threshold', DUPLICATE_THRESHOLD) } : undefined;
}

/** The data-selection flags as the library's DataSelection. */
export function dataSelection(v: DataSelectionFlags): DataSelection {
  const part = v.part ?? 'heldout';
  if (part !== 'heldout' && part !== 'train') throw new FerkitError('BAD_ARGUMENT', `--part must be heldout or train, got ${part}`);
  const usage = usageOption(v.usage);
  const limit = v.limit === undefined ? undefined : intFlag(v.limit, 'limit', 0);
  const dedupe = dedupeOption(v);
  return {
    data: v.data!,
    ...(usage !== undefined ? { usage } : {}),
    ...(v.split ? { split: { fraction: numFlag(v.split, 'split', 0.2), seed: intFlag(v.seed, 'seed', 42), part } } : {}),
    ...(limit ? { limit } : {}),
    ...(v['skip-bad'] ? { skipBad: true } : {}),
    ...(v.ferplus ? { ferplus: v.ferplus } : {}),
    ...(dedupe ? { dedupe } : {}),
  };
}

/** Loads the images the data-selection flags choose, telling the user each step. */
export function selectForCli(v: DataSelectionFlags, log: (s: string) => void): Promise<Dataset> {
  return selectData(dataSelection(v), stepLog(log, 'eval'));
}

/** Tells the user what each step of a data selection did (read, skipped, split, copies left out, FER+ labels). */
export function stepLog(log: (s: string) => void, command: 'train' | 'eval'): OnStep {
  return (s) => {
    switch (s.step) {
      case 'read':
        for (const w of s.report.warnings) log(`warning: ${w}`);
        if (s.report.skipped) {
          log(`skipped ${s.report.skipped} bad row(s)/file(s) in ${s.path} (--skip-bad):`);
          for (const e of s.report.skippedExamples) log(`  ${e}`);
        }
        log(`read ${s.count} images from ${s.path}${s.usage ? ` (usage ${s.usage.join(',')})` : ''} in ${s.seconds.toFixed(1)}s`);
        return;
      case 'split':
        log(
          command === 'train' && s.fraction === 0
            ? `no held-out part (--split 0): all ${s.train} images train, and nothing validates`
            : command === 'train'
              ? `stratified split ${Math.round((1 - s.fraction) * 100)}:${Math.round(s.fraction * 100)} (seed ${s.seed}): ${s.train} train, ${s.heldOut} held out`
              : `using the ${s.part} part of the stratified split (fraction ${s.fraction}, seed ${s.seed}): ${s.part === 'heldout' ? s.heldOut : s.train} images`,
        );
        return;
      case 'dedupe':
        log(
          command === 'train'
            ? `--dedupe: left out of validation ${s.copies} faces that copy a training face (${s.sameLabel} with its label): ${s.count} validation faces`
            : `--dedupe: left out ${s.copies} images that are copies (similarity >= ${s.threshold}) of one of the ${s.reference} training faces (${s.sameLabel} with that face's label): ${s.count} images`,
        );
        return;
      case 'ferplus':
        log(
          s.soft
            ? `FER+ soft labels attached; dropped ${s.dropped.notFace} non-faces and ${s.dropped.unvoted} unvoted images`
            : `labels: FER+ majority votes (${s.path}); left out ${s.dropped.notFace + s.dropped.otherMajority} images whose majority is not one of the seven emotions (not a face, contempt, unknown) and ${s.dropped.unvoted} without votes: ${s.count} images`,
        );
        return;
    }
  };
}
