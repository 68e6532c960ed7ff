import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerkitError } from '../core/errors.js';
import { closest } from './suggest.js';
import type { EngineChoice } from '../core/engine.js';
import { DETECTOR_CHOICES, type DetectorChoice } from '../core/face/choice.js';
import type { RuntimeChoice } from '../core/models/classifier.js';
import { ANNOTATE_STYLES, type AnnotateStyle } from '../draw/layout.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags; unknown flags are an error that names them. */
export type FlagValues<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string };

export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false): { values: FlagValues<O>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true }) as unknown as { values: FlagValues<O>; positionals: string[] };
  } catch (err) {
    throw new FerkitError('BAD_ARGUMENT', flagErrorMessage(err as Error & { code?: string }, options, allowPositionals));
  }
}

/** Node's parser messages, said in a CLI user's terms, with "did you mean" for a mistyped flag. */
function flagErrorMessage(err: Error & { code?: string }, options: Options, allowPositionals: boolean): string {
  const flag = /'(-{1,2}[^'\s]*)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
      const guess = closest(name, Object.keys(options));
      return `unknown flag ${flag}${guess ? `; did you mean --${guess}?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return options[flag.replace(/^-+/, '')]?.type === 'boolean' ? `${flag} takes no value` : `${flag} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return allowPositionals ? err.message : `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}: this command takes flags only`;
    case undefined:
    default:
      return err.message;
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
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** The --usage flag: a comma-separated list, `fallback` when absent, undefined (no filter) for `all`. */
export function usageFlag(value: string | undefined, fallback: string): string[] | undefined {
  const list = listFlag(value) ?? [fallback];
  return list.length === 1 && list[0].toLowerCase() === 'all' ? undefined : list;
}

const RUNTIMES: readonly RuntimeChoice[] = ['auto', 'onnx', 'tfjs'];

/** The --runtime flag, checked; undefined when absent (the recognizer then reads FERKIT_RUNTIME, else auto). */
export function runtimeFlag(value: string | undefined): RuntimeChoice | undefined {
  if (value === undefined) return undefined;
  if ((RUNTIMES as readonly string[]).includes(value)) return value as RuntimeChoice;
  const guess = closest(value, RUNTIMES);
  throw new FerkitError('BAD_ARGUMENT', `--runtime must be one of ${RUNTIMES.join(', ')}, got "${value}"${guess ? `; did you mean ${guess}?` : ''}`);
}

const ENGINES: readonly EngineChoice[] = ['auto', 'native', 'wasm', 'cpu'];

/** The --backend flag, checked; undefined when absent (the engine then reads FERKIT_BACKEND, else auto). */
/** `--detector`: fast, accurate or auto (default auto). */
export function detectorFlag(value: string | undefined): DetectorChoice {
  if (value === undefined) return 'auto';
  if ((DETECTOR_CHOICES as readonly string[]).includes(value)) return value as DetectorChoice;
  const guess = closest(value, DETECTOR_CHOICES);
  throw new FerkitError('BAD_ARGUMENT', `--detector must be one of ${DETECTOR_CHOICES.join(', ')}, got "${value}"${guess ? `; did you mean ${guess}?` : ''}`);
}

export function backendFlag(value: string | undefined): EngineChoice | undefined {
  if (value === undefined) return undefined;
  if ((ENGINES as readonly string[]).includes(value)) return value as EngineChoice;
  const guess = closest(value, ENGINES);
  throw new FerkitError('BAD_ARGUMENT', `--backend must be one of ${ENGINES.join(', ')}, got "${value}"${guess ? `; did you mean ${guess}?` : ''}`);
}

/** `--annotate-style`: full (default) or labels; only beside the flag (`withFlag`) that writes annotated output. */
export function annotateStyleFlag(value: string | undefined, output: string | undefined, withFlag: string): AnnotateStyle {
  if (value === undefined) return 'full';
  if (output === undefined) throw new FerkitError('BAD_ARGUMENT', `--annotate-style says how ${withFlag} draws faces; give ${withFlag} too`);
  if ((ANNOTATE_STYLES as readonly string[]).includes(value)) return value as AnnotateStyle;
  const guess = closest(value, ANNOTATE_STYLES);
  throw new FerkitError(
    'BAD_ARGUMENT',
    `--annotate-style must be one of ${ANNOTATE_STYLES.join(', ')}, got "${value}"${guess ? `; did you mean ${guess}?` : ''}`,
  );
}
