import { existsSync, statSync } from 'node:fs';
import { FerkitError } from '../core/errors.js';
import { readFerCsv } from './csv.js';
import { findSubroot, readImageFolder } from './folder.js';
import { concat, type Dataset, type ReadReport } from './dataset.js';

export interface LoadOptions {
  /**
   * Which part to read: FER2013 `Usage` values for a CSV (`Training`,
   * `PublicTest`, `PrivateTest`); for an image folder with train/ and test/
   * sub-folders, `Training` reads train/ and `PublicTest`/`PrivateTest` read test/.
   * Unset: everything.
   */
  usage?: readonly string[];
  skipBad?: boolean;
  /** CSV: stop after this many rows. Folders: this many images per class. */
  limit?: number;
}

const TRAIN_USAGES = ['training', 'train'];

/** True when `path` names a CSV (plain or gzipped) rather than an image folder. */
export function isCsvPath(path: string): boolean {
  return /\.csv(\.gz)?$/i.test(path);
}

/**
 * The image folders of a dataset root that hold the given usage: `train/`
 * for Training, `test/` for PublicTest/PrivateTest, both when no usage is
 * given, the root itself when it has no such sub-folders.
 */
export function folderParts(path: string, usage?: readonly string[]): string[] {
  const train = findSubroot(path, 'train');
  const test = findSubroot(path, 'test');
  if (!train && !test) return [path];
  const wantTrain = !usage || usage.some((u) => TRAIN_USAGES.includes(u.toLowerCase()));
  const wantTest = !usage || usage.some((u) => !TRAIN_USAGES.includes(u.toLowerCase()));
  const parts = [wantTrain ? train : undefined, wantTest ? test : undefined].filter((p): p is string => p !== undefined);
  if (parts.length === 0) {
    throw new FerkitError('DATA_NOT_FOUND', `${path} has no ${wantTrain ? 'train/' : 'test/'} folder for usage ${usage?.join(',')}`, { file: path });
  }
  return parts;
}

/**
 * Reads a dataset from a FER2013 CSV (`.csv`, `.csv.gz`) or an image folder
 * (`<root>/<emotion>/*.jpg`, optionally under `train/` and `test/`).
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<{ dataset: Dataset; report: ReadReport }> {
  if (!existsSync(path)) {
    throw new FerkitError('DATA_NOT_FOUND', `no such file or folder: ${path}. Pass a FER2013 CSV (.csv/.csv.gz) or an image folder (<root>/<emotion>/*.jpg).`, {
      file: path,
    });
  }
  if (isCsvPath(path) || statSync(path).isFile()) {
    return readFerCsv(path, {
      ...(options.usage ? { usage: options.usage } : {}),
      ...(options.skipBad ? { skipBad: true } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
    });
  }
  const folderOpts = { ...(options.skipBad ? { skipBad: true } : {}), ...(options.limit ? { limitPerClass: options.limit } : {}) };
  const parts = folderParts(path, options.usage);
  const results = [];
  for (const p of parts) results.push(await readImageFolder(p, folderOpts));
  if (results.length === 1) return results[0];
  const report: ReadReport = {
    read: results.reduce((s, r) => s + r.report.read, 0),
    skipped: results.reduce((s, r) => s + r.report.skipped, 0),
    skippedExamples: results.flatMap((r) => r.report.skippedExamples).slice(0, 10),
    warnings: results.flatMap((r) => r.report.warnings),
  };
  return { dataset: concat(...results.map((r) => r.dataset)), report };
}
