/**
 * The data-selection options as command lines give them (strings, named as
 * ferkit's flags: data, usage, split, seed, part, limit, skip-bad, ferplus,
 * dedupe, dedupe-threshold), mapped onto the library's DataSelection and
 * TrainingDataSelection: the one mapping `ferkit eval`, `train`, `compare`,
 * `report`, `calibrate` and the benchmarks share. Pure.
 */
import { DUPLICATE_THRESHOLD } from './duplicates.js';
import type { DataSelection, TrainingDataSelection } from './select.js';
import { FerkitError } from '../core/errors.js';

/** The flags, for node:util's parseArgs (commands add their own). */
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

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new FerkitError('BAD_ARGUMENT', `--${name} must be a number, got "${value}"`);
  return n;
}

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new FerkitError('BAD_ARGUMENT', `--${name} must be an integer, got "${value}"`);
  return n;
}

/** A comma-separated list. */
function listOption(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Flags that choose the images a command evaluates (or calibrates, or trains) on: DATA_SELECTION_FLAGS, and train's own. */
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

/** The --usage flag as the library's `usage`: undefined when absent (the library's default), `all` for everything. */
export function usageOption(value: string | undefined): DataSelection['usage'] {
  const list = listOption(value);
  return list && list.length === 1 && list[0].toLowerCase() === 'all' ? 'all' : list;
}

/** The --dedupe and --dedupe-threshold flags as the library's `dedupe`. */
export function dedupeOption(v: { dedupe?: boolean; 'dedupe-threshold'?: string }): { threshold: number } | undefined {
  if (v['dedupe-threshold'] !== undefined && !v.dedupe) throw new FerkitError('BAD_ARGUMENT', '--dedupe-threshold needs --dedupe');
  return v.dedupe ? { threshold: numberOption(v['dedupe-threshold'], 'dedupe-threshold', DUPLICATE_THRESHOLD) } : undefined;
}

/** What both selections share, in the library's order: the data and its usage, then (`held`) the held-out part, then limit, skip-bad, FER+ and dedupe. */
function selection<H extends object>(v: DataSelectionFlags, held: H) {
  const usage = usageOption(v.usage);
  const limit = v.limit === undefined ? undefined : intOption(v.limit, 'limit', 0);
  const dedupe = dedupeOption(v);
  return {
    data: v.data!,
    ...(usage !== undefined ? { usage } : {}),
    ...held,
    ...(limit ? { limit } : {}),
    ...(v['skip-bad'] ? { skipBad: true as const } : {}),
    ...(v.ferplus ? { ferplus: v.ferplus } : {}),
    ...(dedupe ? { dedupe } : {}),
  };
}

/** The data-selection flags as the library's DataSelection. */
export function dataSelection(v: DataSelectionFlags): DataSelection {
  const part = v.part ?? 'heldout';
  if (part !== 'heldout' && part !== 'train') throw new FerkitError('BAD_ARGUMENT', `--part must be heldout or train, got ${part}`);
  return selection(v, v.split ? { split: { fraction: numberOption(v.split, 'split', 0.2), seed: intOption(v.seed, 'seed', 42), part } } : {});
}

/**
 * `ferkit train`'s data flags as the library's TrainingDataSelection: --val
 * PATH (with --val-usage) validates, else --split holds out a part, seeded
 * by --split-seed or the run's `seed`.
 */
export function trainingDataSelection(
  v: DataSelectionFlags & { val?: string; 'val-usage'?: string; 'split-seed'?: string },
  seed: number,
): TrainingDataSelection {
  return selection(
    v,
    v.val
      ? { validation: { data: v.val, usage: listOption(v['val-usage']) ?? ['PublicTest'] } }
      : { split: { fraction: numberOption(v.split, 'split', 0.2), seed: intOption(v['split-seed'], 'split-seed', seed) } },
  );
}
