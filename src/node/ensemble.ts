/** Ensembles on disk: one model folder whose members' probabilities are averaged. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FerkitError } from '../errors.js';
import { TRAINING_LOG, type ModelMetadata } from '../models/metadata.js';
import { loadModel, readMetadata, resolveModelDir, writeMetadata } from './model-folder.js';

/**
 * Writes a model folder that averages the probabilities of `models` (two or
 * more single-network folders or bundled names, with the same labels and
 * preprocessing), copied into `outDir`/member-1, member-2, ... The members'
 * temperatures are not used: fit the ensemble's own on held-out data.
 * Needs an initialised engine (it loads the ensemble once to check it).
 */
export async function saveEnsemble(models: readonly string[], outDir: string): Promise<ModelMetadata> {
  const dirs = models.map(resolveModelDir);
  if (dirs.length < 2) throw new FerkitError('BAD_ARGUMENT', `an ensemble needs two or more model folders, got ${dirs.length}`);
  const out = resolve(outDir);
  if (existsSync(out)) throw new FerkitError('BAD_ARGUMENT', `${out} exists; an ensemble is written to a new folder`);
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
  mkdirSync(out, { recursive: true });
  try {
    const members = dirs.map((dir, i) => {
      const name = `member-${i + 1}`;
      mkdirSync(join(out, name), { recursive: true });
      for (const f of readdirSync(dir)) {
        if (f === 'model.json' || f === 'ferkit.json' || f.endsWith('.bin') || f === TRAINING_LOG) copyFileSync(join(dir, f), join(out, name, f));
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
    writeMetadata(out, meta);
    const { model } = await loadModel(out);
    meta.parameters = model.countParams();
    model.dispose();
    writeMetadata(out, meta);
    return meta;
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
}
