/** Recognizing many picture files: decoding several at once (with the recognizer's platform) while the model takes one picture at a time. */
import { mapOrdered, serialQueue } from './concurrency.js';
import { asFerkitError, type FerkitError } from './errors.js';
import type { RgbImage } from './image/pixels.js';
import type { FaceEmotion } from './recognizer.js';
import type { Recognizer } from './create-recognizer.js';

/** One file's outcome: its faces, or the error that stopped it. */
export interface FileRecognition {
  file: string;
  faces?: FaceEmotion[];
  /** A FerkitError: the file cannot be read or decoded, or (code INTERNAL) a fault, named with the file. */
  error?: FerkitError;
}

export interface RecognizeFilesOptions {
  /** Pictures decoded at once. Default 4. */
  concurrency?: number;
  /** Called with each file's outcome, in the order of `files`, as soon as it and all before it are done. */
  onResult?: (result: FileRecognition, index: number) => void | Promise<void>;
  /** Called after a picture's faces are found, with its decoded pixels (to draw on them, for example); an error here fails that file. */
  onRecognized?: (file: string, image: RgbImage, faces: FaceEmotion[], index: number) => Promise<void>;
}

/**
 * Finds the faces and emotions in picture files. A file that cannot be read
 * or decoded gets an error in its outcome and the others go on. Resolves
 * with every outcome in the order of `files`.
 */
export function recognizeFiles(
  recognizer: Pick<Recognizer<string>, 'decode' | 'recognizeRgb'>,
  files: readonly string[],
  options: RecognizeFilesOptions = {},
): Promise<FileRecognition[]> {
  const model = serialQueue();
  return mapOrdered(
    files,
    options.concurrency ?? 4,
    async (file, index): Promise<FileRecognition> => {
      try {
        const image = await recognizer.decode(file);
        const [faces] = await model(() => recognizer.recognizeRgb([image]));
        await options.onRecognized?.(file, image, faces, index);
        return { file, faces };
      } catch (err) {
        return { file, error: asFerkitError(err, file) };
      }
    },
    options.onResult,
  );
}
