import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { EMOTIONS, emotionIndex, matchEmotion } from '../core/labels.js';
import { decodeFace } from '../fs/picture.js';
import { mapOrdered } from '../core/concurrency.js';
import { emptyReport, makeDataset, noteSkipped, type Dataset, type ReadReport } from './dataset.js';
import { PIXELS_PER_IMAGE } from '../core/image/preprocess.js';
import { PICTURE_FORMATS, type PictureFormat } from '../core/image/limits.js';

const EXTENSIONS: Record<PictureFormat, readonly string[]> = {
  jpeg: ['.jpg', '.jpeg'],
  png: ['.png'],
  webp: ['.webp'],
  tiff: ['.tif', '.tiff'],
  gif: ['.gif'],
  avif: ['.avif'],
};

/** The file name extensions of the pictures ferkit reads (PICTURE_FORMATS): a folder's pictures are its files with these. */
export const IMAGE_EXTENSIONS: readonly string[] = PICTURE_FORMATS.flatMap((f) => EXTENSIONS[f]);

export interface FolderReadOptions {
  /** Skip undecodable images (counted in the report) instead of stopping. */
  skipBad?: boolean;
  /** Images decoded at once. */
  concurrency?: number;
  /** Stop after this many images per class (quick experiments and tests). */
  limitPerClass?: number;
}

/** Sub-folder names that hold the training and the test part of a dataset. */
const SUBROOTS = {
  train: ['train', 'training'],
  test: ['test', 'publictest', 'val', 'validation'],
} as const;

/** Finds `<root>/train` or `<root>/test` (case-insensitive, common synonyms). */
export function findSubroot(root: string, part: keyof typeof SUBROOTS): string | undefined {
  if (!existsSync(root) || !statSync(root).isDirectory()) return undefined;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory() && (SUBROOTS[part] as readonly string[]).includes(entry.name.toLowerCase())) return join(root, entry.name);
  }
  return undefined;
}

/** An image file of a labelled folder and its class index. */
export interface LabelledFile {
  path: string;
  label: number;
}

/**
 * Lists `<root>/<class>/*.{jpg,png,...}` with their labels, in sorted order.
 * Class folders are matched case-insensitively against the seven labels and
 * their synonyms; folders that match none are named in the report's warnings.
 */
export function listImageFolder(root: string, limitPerClass?: number): { files: LabelledFile[]; report: ReadReport } {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new FerkitError('DATA_NOT_FOUND', `no such folder: ${root}. Pass a folder laid out as <root>/<emotion>/*.jpg.`, { file: root });
  }
  const report = emptyReport();
  const files: LabelledFile[] = [];
  const unmatched: string[] = [];
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const dir of dirs) {
    const emotion = matchEmotion(dir);
    if (!emotion) {
      unmatched.push(dir);
      continue;
    }
    const label = emotionIndex(emotion);
    let names = readdirSync(join(root, dir))
      .filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()))
      .sort();
    if (limitPerClass !== undefined) names = names.slice(0, limitPerClass);
    for (const f of names) files.push({ path: join(root, dir, f), label });
  }
  if (unmatched.length) {
    report.warnings.push(`skipped folders that match no emotion label (${EMOTIONS.join(', ')}): ${unmatched.map((u) => join(root, u)).join(', ')}`);
  }
  if (files.length === 0) {
    throw new FerkitError(
      'DATA_NOT_FOUND',
      `${root} has no images in emotion-named folders (${EMOTIONS.join(', ')} or synonyms such as anger, happiness, sadness).`,
      { file: root },
    );
  }
  return { files, report };
}

/**
 * Reads `<root>/<class>/*.{jpg,png,...}` into a dataset of grey 48x48 faces
 * (folders as in listImageFolder). Files are read in sorted order, so the
 * dataset is the same every time.
 */
export async function readImageFolder(root: string, options: FolderReadOptions = {}): Promise<{ dataset: Dataset; report: ReadReport }> {
  const { files, report } = listImageFolder(root, options.limitPerClass);
  const decoded = await mapOrdered(files, options.concurrency ?? 8, async (f) => {
    try {
      return await decodeFace(f.path);
    } catch (err) {
      if (!options.skipBad) {
        throw new FerkitError('BAD_IMAGE', `${(err as Error).message}. Remove or replace the file, or set skipBad to skip unreadable images.`, {
          file: f.path,
          cause: err,
          options: ['skipBad'],
        });
      }
      noteSkipped(report, `${f.path}: cannot decode`);
      return undefined;
    }
  });
  const kept = files.map((f, i) => ({ ...f, pixels: decoded[i] })).filter((f) => f.pixels);
  const pixels = new Uint8Array(kept.length * PIXELS_PER_IMAGE);
  kept.forEach((f, i) => pixels.set(f.pixels!, i * PIXELS_PER_IMAGE));
  report.read = kept.length;
  return { dataset: makeDataset({ pixels, labels: Int32Array.from(kept.map((f) => f.label)), ids: kept.map((f) => f.path) }), report };
}
