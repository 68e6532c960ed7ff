import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FerkitError } from '../errors.js';
import { initEngine } from '../node/engine.js';
import { loadModel, readMetadata, resolveModelDir, writeAtomic } from '../node/model-folder.js';
import { type ModelMetadata } from '../models/metadata.js';
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
  --backend NAME`;

export async function ensembleCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, { models: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' } });
  const dirs = (listFlag(v.models) ?? []).map(resolveModelDir);
  if (dirs.length < 2 || !v.out) throw new FerkitError('BAD_ARGUMENT', 'ensemble needs --models DIR,DIR (two or more model folders) and --out DIR');
  const outDir = resolve(v.out);
  if (existsSync(outDir)) throw new FerkitError('BAD_ARGUMENT', `${outDir} exists; --out must be a new folder`);
  const metas: ModelMetadata[] = [];
  for (const dir of dirs) {
    if (!existsSync(join(dir, 'model.json'))) {
      throw new FerkitError('MODEL_NOT_FOUND', `${dir} is not a single model folder (no model.json); for an ensemble, list its member-N folders instead`);
    }
    const meta = readMetadata(dir);
    if (metas.length && JSON.stringify([meta.labels, meta.preprocessing]) !== JSON.stringify([metas[0].labels, metas[0].preprocessing])) {
      throw new FerkitError('BAD_MODEL', `${dir} has other labels or preprocessing than ${dirs[0]}; ensemble members must agree`);
    }
    metas.push(meta);
  }
  mkdirSync(outDir, { recursive: true });
  const members = dirs.map((dir, i) => {
    const name = `member-${i + 1}`;
    mkdirSync(join(outDir, name), { recursive: true });
    for (const f of readdirSync(dir)) {
      if (f === 'model.json' || f === 'ferkit.json' || f.endsWith('.bin') || f === 'train-log.jsonl') copyFileSync(join(dir, f), join(outDir, name, f));
    }
    return name;
  });
  const meta: ModelMetadata = {
    format: 'ferkit-model',
    formatVersion: 1,
    architecture: `ensemble(${metas.map((m) => m.architecture).join('+')})`,
    labels: metas[0].labels,
    preprocessing: metas[0].preprocessing,
    description: `mean of the probabilities of ${dirs.length} models`,
    members,
    training: { members: metas.map((m, i) => ({ source: dirs[i], architecture: m.architecture, metrics: m.metrics, training: m.training })) },
    createdAt: new Date().toISOString(),
  };
  // loading the new folder checks that the members fit together; a folder that does not load is removed
  await initEngine(backendFlag(v.backend));
  try {
    writeAtomic(join(outDir, 'ferkit.json'), JSON.stringify(meta, null, 2) + '\n');
    const { model } = await loadModel(outDir);
    meta.parameters = model.countParams();
    model.dispose();
    writeAtomic(join(outDir, 'ferkit.json'), JSON.stringify(meta, null, 2) + '\n');
  } catch (err) {
    rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
  out(`ensemble of ${dirs.length} models (${meta.parameters!.toLocaleString('en')} parameters) written to ${outDir}; fit its temperature with \`ferkit calibrate --model ${v.out}\` on held-out data\n`);
  return 0;
}

