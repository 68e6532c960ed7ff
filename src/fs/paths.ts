/** Where the bundled models are, and which folder a model name means. Imports no TensorFlow.js. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { FerkitError } from '../core/errors.js';
import { FACE_API_EXPRESSION_ARCHITECTURE, FACE_API_EXPRESSIONS } from '../core/models/face-api-expression.js';
import type { ModelMetadata } from '../core/models/metadata.js';

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

export { FACE_API_EXPRESSION_MANIFEST } from '../core/models/face-api-expression.js';

/** face-api's model folder, as installed with ferkit. */
export function installedFaceApiModels(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
  } catch (err) {
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `face-api.js (@vladmandic/face-api) is not installed (${(err as Error).message}); reinstall ferkit's dependencies with \`npm ci\``,
      {
        cause: err,
      },
    );
  }
}

/** Whether a model name or folder means face-api.js's expression net: its name, or a folder whose ferkit.json names its architecture. */
export function isFaceApiExpressionModel(nameOrDir: string, meta?: Pick<ModelMetadata, 'architecture'>): boolean {
  if (nameOrDir === FACE_API_EXPRESSIONS && !existsSync(nameOrDir)) return true;
  return meta?.architecture === FACE_API_EXPRESSION_ARCHITECTURE;
}

/** The folder of the ONNX networks written when ferkit was built (`npm run build`): the detectors, and the bundled models below `models/`. */
export function builtOnnxDir(): string {
  // dist/src/fs/ -> dist/onnx/
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'onnx');
}
