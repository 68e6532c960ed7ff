import { existsSync, statSync } from 'node:fs';
import { FerkitError } from '../core/errors.js';
import { folderParts, isCsvPath } from '../data/load.js';
import { listImageFolder, type LabelledFile } from '../data/folder.js';
import type { Recognizer as RecognizerOn } from '../core/create-recognizer.js';
import type { ImageInput } from '../core/image/pixels.js';

type Recognizer = RecognizerOn<ImageInput>;
import { computeMetrics, type Metrics } from './metrics.js';
import { metricIntervals, wilsonInterval } from './intervals.js';
import { decodeFace } from '../fs/picture.js';
import { PIXELS_PER_IMAGE, IMAGE_SIZE } from '../core/image/preprocess.js';
import { argmaxRows } from '../core/numeric.js';
import { framedFace } from './framing.js';

export interface DetectEvalResult extends Metrics {
  /** Pictures read. */
  images: number;
  /** Pictures in which no face was found (left out of the metrics). */
  noFace: number;
  /** Their files (the first 20). */
  noFaceExamples: string[];
  /** Pictures that could not be decoded (left out). */
  failed: number;
  /** Pictures in which a face was found, as a share of those decoded. */
  foundRate: number;
  /**
   * With `crops`: the accuracy of the pictures' own crops, classified as
   * they are, on the same pictures the metrics cover (those where the
   * detector found a face), and on every decoded picture.
   */
  cropped?: { accuracy: number; interval: [number, number]; accuracyAll: number; samplesAll: number };
}

/**
 * Evaluates the whole path from picture to emotion: detects the faces in
 * each picture, classifies the largest, and compares with the folder's
 * label. Pictures without a face are counted and reported, not scored.
 *
 * With `crops`, the pictures are face crops already (as FER2013's and
 * CK+48's are): each is turned into the model's 48x48 input, placed 4x
 * larger in a picture with room around it so that the detector can find the
 * face, and run through the recognizer; the crop classified as it is gives
 * the cropped-face accuracy on the same pictures, beside the pipeline's.
 */
export async function evaluateWithDetection(
  recognizer: Recognizer,
  path: string,
  options: { usage?: readonly string[]; limit?: number; skipBad?: boolean; crops?: boolean; onProgress?: (done: number, total: number) => void } = {},
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
  // with crops: each decoded picture's own 48x48 input, and whether the detector found its face
  const own: Uint8Array[] = [];
  const ownLabels: number[] = [];
  const ownFound: boolean[] = [];
  for (let i = 0; i < files.length; i++) {
    let faces;
    try {
      if (options.crops) {
        const crop = await decodeFace(files[i].path);
        faces = (await recognizer.recognizeRgb([framedFace(crop, IMAGE_SIZE).image]))[0];
        own.push(crop);
        ownLabels.push(files[i].label);
        ownFound.push(faces.length > 0);
      } else faces = await recognizer.recognize(files[i].path);
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
  const decoded = files.length - failed;
  return {
    ...computeMetrics(yTrue, yPred, labels),
    intervals: metricIntervals(yTrue, yPred, labels),
    images: files.length,
    noFace,
    noFaceExamples,
    failed,
    foundRate: decoded ? (decoded - noFace) / decoded : 0,
    ...(options.crops ? { cropped: await croppedAccuracy(recognizer, own, ownLabels, ownFound) } : {}),
  };
}

async function croppedAccuracy(
  recognizer: Recognizer,
  crops: Uint8Array[],
  labels: number[],
  found: boolean[],
): Promise<NonNullable<DetectEvalResult['cropped']>> {
  const all = new Uint8Array(crops.length * PIXELS_PER_IMAGE);
  crops.forEach((c, i) => all.set(c, i * PIXELS_PER_IMAGE));
  const pred = argmaxRows(await recognizer.classify(all), recognizer.meta.labels.length);
  let right = 0,
    rightFound = 0,
    nFound = 0;
  labels.forEach((l, i) => {
    const ok = pred[i] === l ? 1 : 0;
    right += ok;
    if (found[i]) {
      nFound++;
      rightFound += ok;
    }
  });
  return {
    accuracy: nFound ? rightFound / nFound : 0,
    interval: wilsonInterval(rightFound, nFound),
    accuracyAll: labels.length ? right / labels.length : 0,
    samplesAll: labels.length,
  };
}
