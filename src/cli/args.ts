import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerkitError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags; unknown flags are an error that names them. */
export type FlagValues<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string };

export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false): { values: FlagValues<O>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true }) as unknown as { values: FlagValues<O>; positionals: string[] };
  } catch (err) {
    throw new FerkitError('BAD_ARGUMENT', `${(err as Error).message}. Run \`ferkit help\` for the flags of each command.`);
  }
}

export function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new FerkitError('BAD_ARGUMENT', `--${name} must be an integer, got "${value}"`);
  return n;
}

export function numFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new FerkitError('BAD_ARGUMENT', `--${name} must be a number, got "${value}"`);
  return n;
}

/** Comma-separated list flag. */
export function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The --usage flag: a comma-separated list, `fallback` when absent, undefined (no filter) for `all`. */
export function usageFlag(value: string | undefined, fallback: string): string[] | undefined {
  const list = listFlag(value) ?? [fallback];
  return list.length === 1 && list[0].toLowerCase() === 'all' ? undefined : list;
}
