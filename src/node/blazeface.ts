/** BlazeFace in Node: its model files from the installed @vladmandic/human package. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { BLAZEFACE_MODEL_FILE, BlazeFaceDetector, type BlazeFaceOptions } from '../core/face/blazeface.js';
import { loadGraphModelFrom, type ModelFiles } from '../core/models/loader.js';
import { folderFiles } from '../store/folder.js';

const require = createRequire(import.meta.url);

/** The folder of @vladmandic/human's models (BlazeFace's `blazeface.json` and `.bin`), as installed by `npm ci`. */
export function blazeFaceFiles(): ModelFiles {
  let dir: string;
  try {
    // the package exports no package.json: its main file sits in dist/, its models beside dist/
    dir = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
  } catch (err) {
    throw new FerkitError(
      'MODEL_NOT_FOUND',
      `the fast face detector's weights (package @vladmandic/human) are not installed (${(err as Error).message}); reinstall with \`npm ci\`, or use the accurate detector`,
      { cause: err },
    );
  }
  return folderFiles(dir);
}

/** Loads BlazeFace, the fast face detector, with the weights installed with ferkit. */
export async function loadBlazeFace(options: BlazeFaceOptions = {}): Promise<BlazeFaceDetector> {
  return BlazeFaceDetector.create(await loadGraphModelFrom(blazeFaceFiles(), BLAZEFACE_MODEL_FILE), options);
}
