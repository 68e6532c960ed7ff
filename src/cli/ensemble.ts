import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FerkitError } from '../errors.js';
import { initEngine } from '../node/engine.js';
import { saveEnsemble } from '../node/ensemble.js';
import { listFlag, parseFlags, backendFlag } from './args.js';

export const ENSEMBLE_HELP = `ferkit ensemble --models DIR,DIR[,...] --out DIR

Makes one model folder that averages the probabilities of several models,
as many times slower as it has members. It beats its best member when the
members err differently (other seeds, recipes or architectures); snapshots
of one run are often too alike to gain (docs/experiments.md). Check it on
held-out data before using it. The members are copied
into DIR/member-1, DIR/member-2, ...; every command takes DIR as --model.
The members' own temperatures are not used: fit the ensemble's with
\`ferkit calibrate --model DIR\` on held-out data.

  --models LIST  model folders or bundled model names (two or more, same labels and input)
  --out DIR      new folder
  --backend NAME

examples:
  ferkit ensemble --models runs/a,runs/b,runs/c --out runs/ensemble
  ferkit calibrate --model runs/ensemble --data fer2013.csv`;

export async function ensembleCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, { models: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' } });
  const models = listFlag(v.models) ?? [];
  if (models.length < 2 || !v.out) throw new FerkitError('BAD_ARGUMENT', 'ensemble needs --models DIR,DIR (two or more model folders) and --out DIR');
  if (existsSync(v.out)) throw new FerkitError('BAD_ARGUMENT', `${resolve(v.out)} exists; --out must be a new folder`);
  await initEngine(backendFlag(v.backend));
  const meta = await saveEnsemble(models, v.out);
  out(
    `ensemble of ${models.length} models (${meta.parameters!.toLocaleString('en')} parameters) written to ${resolve(v.out)}; fit its temperature with \`ferkit calibrate --model ${v.out}\` on held-out data\n`,
  );
  return 0;
}
