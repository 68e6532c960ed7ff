/** Where the bundled models are, and which folder a model name means. Imports no TensorFlow.js. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerkitError } from '../errors.js';

/** The folder of ferkit's bundled models (`models/` in the package). */
export function bundledModelsDir(): string {
  // dist/src/node/model-folder.js -> package root
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');
}

/** The names of the bundled models (`default`, `fast`, `paper`), sorted: the folders of models/ that hold a model. */
export function bundledModelNames(): string[] {
  const root = bundledModelsDir();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && (existsSync(join(root, e.name, 'ferkit.json')) || existsSync(join(root, e.name, 'model.json'))))
    .map((e) => e.name)
    .sort();
}

/** A folder as given, or for a bare name that is no folder here (`default`, `fast`, `paper`), the bundled model of that name. */
export function resolveModelDir(nameOrDir: string): string {
  if (existsSync(nameOrDir) || !/^[\w-]+$/.test(nameOrDir)) return nameOrDir;
  const bundled = join(bundledModelsDir(), nameOrDir);
  return existsSync(join(bundled, 'ferkit.json')) || existsSync(join(bundled, 'model.json')) ? bundled : nameOrDir;
}

/** The model used when none is given: models/default, else models/paper. */
export function defaultModelDir(): string {
  const root = bundledModelsDir();
  for (const name of ['default', 'paper']) {
    if (existsSync(join(root, name, 'model.json'))) return join(root, name);
  }
  throw new FerkitError('MODEL_NOT_FOUND', `no bundled model in ${root}; train one (ferkit train) and give its folder`);
}
