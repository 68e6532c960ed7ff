import { existsSync, statSync } from 'node:fs';
import { FerkitError } from '../errors.js';
import { folderParts, isCsvPath } from '../data/load.js';
import { listImageFolder, type LabelledFile } from '../data/folder.js';
import type { Recognizer } from '../node/recognizer.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { metricIntervals } from './intervals.js';

export interface DetectEvalResult extends Metrics {
  /** Pictures read. */
  images: number;
  /** Pictures in which no face was found (left out of the metrics). */
  noFace: number;
  /** Their files (the first 20). */
  noFaceExamples: string[];
  /** Pictures that could not be decoded (left out). */
  failed: number;
}

/**
 * Evaluates on uncropped pictures: detects the faces in each, classifies the
 * largest, and compares with the folder's label. Pictures without a face are
 * counted and reported, not scored.
 */
export async function evaluateWithDetection(
  recognizer: Recognizer,
  path: string,
  options: { usage?: readonly string[]; limit?: number; skipBad?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<DetectEvalResult> {
  if (!existsSync(path) || isCsvPath(path) || statSync(path).isFile()) {
    throw new FerkitError('BAD_ARGUMENT', `detecting faces needs an image folder (<root>/<emotion>/*.jpg), not ${path}: CSV rows are already cropped faces`);
  }
  const files: LabelledFile[] = folderParts(path, options.usage).flatMap((p) => listImageFolder(p, options.limit).files);
  const yTrue: number[] = [];
  const yPred: number[] = [];
  const noFaceExamples: string[] = [];
  let noFace = 0,
    failed = 0;
  const labels = recognizer.meta.labels;
  for (let i = 0; i < files.length; i++) {
    let faces;
    try {
      faces = await recognizer.recognize(files[i].path);
    } catch (err) {
      if (!options.skipBad)
        throw new FerkitError('BAD_IMAGE', `${(err as Error).message}. Remove or replace the file, or set skipBad to skip unreadable images.`, {
          file: files[i].path,
          cause: err,
          options: ['skipBad'],
        });
      failed++;
      continue;
    }
    options.onProgress?.(i + 1, files.length);
    if (faces.length === 0) {
      noFace++;
      if (noFaceExamples.length < 20) noFaceExamples.push(files[i].path);
      continue;
    }
    yTrue.push(files[i].label);
    yPred.push(labels.indexOf(faces[0].emotion)); // faces come largest first
  }
  return { ...computeMetrics(yTrue, yPred, labels), intervals: metricIntervals(yTrue, yPred, labels), images: files.length, noFace, noFaceExamples, failed };
}
