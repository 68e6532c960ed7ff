import { nodePlatform } from '../node/platform.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { saveEnsemble } from '../store/ensemble.js';
import { checkCombine, checkMemberWeights } from '../core/models/combine.js';
import { FACE_API_EXPRESSIONS } from '../core/models/face-api-expression.js';
import { listFlag, numFlag, parseFlags, backendFlag } from './args.js';
import { pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';

export const ENSEMBLE_HELP = `ferkit ensemble --models DIR,DIR[,...] --out DIR [--weights W,W,...] [--combine probabilities|log]

Makes one model folder that combines the probabilities of several models,
as many times slower as it has members. It beats its best member when the
members err differently (other seeds, recipes or architectures); snapshots
of one run are often too alike to gain (docs/experiments.md). Check it on
held-out data before using it. The members are copied
into DIR/member-1, DIR/member-2, ...; every command that runs a model takes
DIR as --model (eval, predict, calibrate, serve, train --teacher).
The members' own temperatures are not used: fit the ensemble's with
\`ferkit calibrate --model DIR\` on held-out data.

A member may be ${FACE_API_EXPRESSIONS}: face-api.js's expression net (MIT),
run with its own preprocessing (docs/models.md).

  --models LIST   model folders or names: bundled models (default, fast, paper) or
                  ${FACE_API_EXPRESSIONS} (two or more, same labels and input)
  --out DIR       new folder
  --weights LIST  each member's weight, in --models order, summing to 1 (default equal)
  --combine MODE  probabilities (default): the weighted mean of the members' probabilities;
                  log: the weighted mean of their log-probabilities, normalised (a member
                  sure a class is wrong vetoes it more strongly)
  --backend NAME

examples:
  ferkit ensemble --models runs/a,runs/b,runs/c --out runs/ensemble
  ferkit calibrate --model runs/ensemble --data fer2013.csv
  ferkit ensemble --models default,${FACE_API_EXPRESSIONS} --weights 0.75,0.25 --out runs/with-face-api`;

export async function ensembleCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, { ...stringFlags('models', 'out', 'weights', 'combine'), ...pickFlags(RECOGNIZER_FLAGS, 'backend') });
  const models = listFlag(v.models) ?? [];
  if (models.length < 2 || !v.out) throw new FerkitError('BAD_ARGUMENT', 'ensemble needs --models DIR,DIR (two or more model folders) and --out DIR');
  if (existsSync(v.out)) throw new FerkitError('BAD_ARGUMENT', `${resolve(v.out)} exists; --out must be a new folder`);
  const weights = listFlag(v.weights)?.map((w) => numFlag(w, 'weights', NaN));
  // checked before the engine starts: a mistyped flag fails at once
  if (weights) checkMemberWeights(weights, models.length);
  const combine = checkCombine(v.combine);
  await initEngine(backendFlag(v.backend));
  const meta = await saveEnsemble(models, v.out, { ...(weights ? { weights } : {}), combine, startClassifier: nodePlatform().startClassifier });
  const size = meta.parameters === undefined ? '' : ` (${meta.parameters.toLocaleString('en')} parameters)`;
  out(
    `ensemble of ${models.length} models${size}, ${meta.description}, written to ${resolve(v.out)}; fit its temperature with \`ferkit calibrate --model ${v.out}\` on held-out data\n`,
  );
  return 0;
}
