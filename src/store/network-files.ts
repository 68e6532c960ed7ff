/**
 * What a model folder on disk holds, read without loading a network: its
 * checked ferkit.json, the folders of its networks and the weight files
 * each names, and the errors for a folder that holds no model. No
 * TensorFlow.js: the service lists a model's files with it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { checkMetadata, checkModelJson, excerpt, MAX_MODEL_JSON_BYTES } from '../core/models/validate.js';
import { readModelFileSync } from '../fs/read.js';
import { bundledModelNames } from '../fs/paths.js';

const utf8 = new TextDecoder();

/** The ferkit.json of a model folder, checked (src/core/models/validate.ts); a folder without one is refused. */
export function readMetadata(dir: string): ModelMetadata {
  const metaPath = join(dir, 'ferkit.json');
  if (!existsSync(metaPath)) throw existsSync(join(dir, 'model.json')) ? missingMetadata(dir) : noModel(dir);
  const bytes = readModelFileSync(dir, 'ferkit.json', MAX_MODEL_JSON_BYTES);
  if (!bytes) throw missingMetadata(dir);
  let meta: unknown;
  try {
    meta = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${dir}: ferkit.json is not valid JSON (${excerpt((err as Error).message, 80)})`, { file: dir, cause: err });
  }
  return checkMetadata(meta, dir);
}

/** The error for a model folder without ferkit.json, with the command that completes it where there is one. */
function missingMetadata(dir: string): FerkitError {
  const interruptedRun =
    existsSync(join(dir, 'checkpoint', 'state.json')) || existsSync(join(dir, 'checkpoint.tmp')) || existsSync(join(dir, 'checkpoint.old'));
  return new FerkitError(
    'BAD_MODEL',
    interruptedRun
      ? `${dir}: ferkit.json is missing: the training run saving into this folder was stopped before it finished. Run the same \`ferkit train ... --out ${dir}\` command again with --resume to complete it`
      : `${dir}: ferkit.json is missing, so the model's labels and input are unknown; give the folder of a model written by ferkit train, export or ensemble (an interrupted \`ferkit train\` run is completed by running it again with --resume)`,
    { file: dir, options: ['resume'] },
  );
}

/** Throws, saying what to do, for a folder that holds no model, or a model without its ferkit.json. */
export function checkModelFolder(dir: string): void {
  if (!existsSync(join(dir, 'model.json')) && !existsSync(join(dir, 'ferkit.json'))) {
    throw noModel(dir);
  }
  if (!existsSync(join(dir, 'ferkit.json'))) throw missingMetadata(dir);
}

/** The error for a folder that holds no model. */
function noModel(dir: string): FerkitError {
  return new FerkitError(
    'MODEL_NOT_FOUND',
    `no model in ${dir} (model.json missing); give the folder of a model written by ferkit train, export or ensemble, or a bundled model's name (${bundledModelNames().join(', ') || 'none installed'})`,
    { file: dir },
  );
}

/**
 * The folders holding a model's networks, relative to `dir`: `.` for a single
 * network, an ensemble's members in order.
 */
export function networkFolders(dir: string, meta?: ModelMetadata): string[] {
  if (existsSync(join(dir, 'model.json'))) return ['.'];
  const folders = existsSync(join(dir, 'ferkit.json')) || meta ? ((meta ?? readMetadata(dir)).members ?? []) : [];
  if (folders.length === 0) {
    throw noModel(dir);
  }
  return folders;
}

/** The weight files a network folder's model.json names, relative to the folder. */
export function weightFiles(folder: string): string[] {
  const bytes = readModelFileSync(folder, 'model.json', MAX_MODEL_JSON_BYTES);
  if (!bytes) throw new FerkitError('BAD_MODEL', `${folder}: model.json is missing`, { file: folder });
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FerkitError('BAD_MODEL', `${folder}: model.json is not valid JSON (${excerpt((err as Error).message, 80)})`, { file: folder, cause: err });
  }
  return checkModelJson(json, folder).weightsManifest.flatMap((g) => g.paths);
}
