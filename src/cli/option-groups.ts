/**
 * The flags several commands share, declared once, in groups: a command
 * spreads the groups it takes into its flag table (with `pickFlags` where it
 * takes part of one), and one function maps each group onto the library's
 * options (`recognizerOptions`, `dataSelection`).
 */

const STRING = { type: 'string' } as const;
const BOOLEAN = { type: 'boolean' } as const;

/** Flags that take a value, by name: a command's own flags. */
export function stringFlags<K extends string>(...names: K[]): { readonly [P in K]: typeof STRING } {
  return Object.fromEntries(names.map((n) => [n, STRING])) as { [P in K]: typeof STRING };
}

/** Flags that take no value, by name. */
export function booleanFlags<K extends string>(...names: K[]): { readonly [P in K]: typeof BOOLEAN } {
  return Object.fromEntries(names.map((n) => [n, BOOLEAN])) as { [P in K]: typeof BOOLEAN };
}

/** Part of a group, for a command that takes only some of its flags. */
export function pickFlags<G extends object, K extends keyof G>(group: G, ...names: K[]): Pick<G, K> {
  return Object.fromEntries(names.map((n) => [n, group[n]])) as Pick<G, K>;
}

/** The recognizer: which model, run by what, and how faces are found (--model, --detector, --min-confidence, --backend, --runtime). */
export const RECOGNIZER_FLAGS = {
  model: STRING,
  'min-confidence': STRING,
  detector: STRING,
  backend: STRING,
  runtime: STRING,
} as const;

/** How each face is cropped, classified and flagged (--margin, --no-align, --crops, --tta, --uncertain-below). */
export const FACE_FLAGS = {
  'uncertain-below': STRING,
  margin: STRING,
  'no-align': BOOLEAN,
  crops: BOOLEAN,
  tta: BOOLEAN,
} as const;

// The images a command evaluates, compares, calibrates or trains on are declared beside their mapping
// (DATA_SELECTION_FLAGS in data/selection-flags.ts), which brings TensorFlow.js: recognition commands do not import it.

/** How results are printed: a table by default, or --json, or --csv. */
export const OUTPUT_FLAGS = { json: BOOLEAN, csv: BOOLEAN } as const;
