import type { FerkitError } from '../core/errors.js';

/**
 * The flags that set each library option a FerkitError can name (its
 * `options`), for every command; `train` sets a few of them differently.
 */
const FLAGS: Record<string, readonly string[]> = {
  skipBad: ['--skip-bad'],
  data: ['--data'],
  usage: ['--usage'],
  limit: ['--limit'],
  split: ['--split'],
  'split.seed': ['--seed'],
  'split.part': ['--part'],
  ferplus: ['--ferplus'],
  dedupe: ['--dedupe'],
  'dedupe.threshold': ['--dedupe-threshold'],
  validation: ['--val'],
  'validation.usage': ['--val-usage'],
  resume: ['--resume'],
  outDir: ['--out'],
  init: ['--init'],
  teacher: ['--teacher'],
  'config.arch': ['--arch'],
  'config.distillWeight': ['--distill-weight'],
  'config.distillTemperature': ['--distill-temperature'],
  'config.learningRate': ['--learning-rate'],
  redis: ['--redis'],
  connectTimeoutMs: ['--redis-timeout'],
  port: ['--port'],
  host: ['--host'],
  readTimeoutMs: ['--read-timeout'],
  maxSeconds: ['--max-seconds'],
  'videoLimits.maxSeconds': ['--max-video-seconds'],
  'videoLimits.maxSegments': ['--max-segments'],
  'videoLimits.maxLiveSeconds': ['--max-live-seconds'],
  'videoLimits.readTimeoutMs': ['--read-timeout'],
};

const COMMAND_FLAGS: Record<string, Record<string, readonly string[]>> = {
  train: {
    'split.seed': ['--split-seed'],
    // the images a run trains and validates on, as `ferkit train` chooses them
    train: ['--data', '--usage', '--split', '--split-seed', '--limit', '--ferplus'],
    validation: ['--val', '--val-usage', '--dedupe'],
  },
};

/** The flags of `command` that set the options an error names, in order, without repeats. */
export function flagsFor(options: readonly string[], command: string): string[] {
  const flags = options.flatMap((o) => COMMAND_FLAGS[command]?.[o] ?? FLAGS[o] ?? []);
  return [...new Set(flags)];
}

/**
 * An error's message for the command line: the library's message, which
 * names options in library terms, followed by the flags that set them.
 */
export function cliMessage(err: FerkitError, command: string): string {
  const flags = flagsFor(err.options ?? [], command);
  if (flags.length === 0) return err.message;
  const end = /[.?!]$/.test(err.message) ? err.message.slice(-1) : '';
  return `${err.message.slice(0, err.message.length - end.length)} (${flags.length === 1 ? 'flag' : 'flags'} ${flags.join(', ')})${end}`;
}
