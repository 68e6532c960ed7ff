import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { createRecognizer, type RecognizerOptions } from '../node/index.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import { failedPictureRecord, pictureRecord } from '../core/results.js';
import { picturePrinter, type PicturePrinter, type ResultFormat } from '../core/results-format.js';
import { recognizeFiles, type FileRecognition } from '../core/recognize-files.js';
import { annotate } from '../draw/annotate.js';
import type { AnnotateStyle } from '../draw/layout.js';
import type { RgbImage } from '../core/image/pixels.js';
import type { FaceEmotion } from '../core/recognizer.js';
import { annotatedNames, expandInputs, IMAGE_FORMAT_NAMES } from './files.js';
import { annotateStyleFlag, intFlag, parseFlags } from './args.js';
import { FACE_FLAGS, OUTPUT_FLAGS, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';
import { recognizerOptions } from './recognizer-options.js';
import { StatusLine } from './terminal.js';

export const PREDICT_HELP = `ferkit predict FILE|DIR|GLOB... [options]

Finds the faces in pictures (${IMAGE_FORMAT_NAMES}) and says which
emotion each one shows: one line per face (a table by default). Directories
are searched recursively; globs such as 'photos/**/*.jpg' are expanded by
ferkit. Unreadable files are reported and skipped; the exit code is 1 when
any file failed. In the table, ? before an emotion marks an uncertain face:
its probability is below --uncertain-below.

  --json                 one JSON object per picture (JSON Lines): {file, faces: [...]}, faces: []
                         when there is none (each face with its eyes where the detector finds them),
                         and {file, faces: [], error: {code, message}} for a file that failed
  --csv                  CSV with a header, one row per face (a row with empty cells for a picture
                         without, and one with its error in the last column for a file that failed)
  --annotate DIR         write each picture with boxes, labels and probabilities drawn
  --annotate-style S     with --annotate: full (default: box, label and a panel of the seven
                         probabilities beside each face, never over a face) or labels (box, label)
  --model DIR            model folder, or a bundled model by name: default, fast (the fast model:
                         smaller, for live video) or paper
  --detector NAME        auto (default: the fast detector, BlazeFace, and for anything but close-ups
                         also the accurate one, SSD-MobileNet with tiles for large pictures, keeping
                         every face either finds); fast (BlazeFace alone, for live video); accurate
                         (SSD-MobileNet alone)
  --min-confidence P     face detection threshold (default 0.5)
  --uncertain-below P    flag faces whose top probability is below P as uncertain (default 0.5,
                         where the bundled models' answers become more often wrong than right; 0
                         flags none)
  --margin M             room around the face box on each side, share of its size (default 0: a
                         square of the box's longer side, how FER2013 frames its faces)
  --no-align             do not level the eyes before cropping
  --crops                the inputs are face crops already: no detection
  --tta                  average each face with its mirror image (test-time augmentation)
  --concurrency N        pictures decoded at once (default 4)
  --backend NAME         auto | native | wasm | cpu
  --runtime NAME         auto | onnx (ONNX Runtime) | tfjs: what runs the emotion model
                         (default auto: ONNX Runtime where it loads)

examples:
  ferkit predict photo.jpg
  ferkit predict photos/ --json > faces.jsonl
  ferkit predict 'shoots/**/*.png' --csv > faces.csv
  ferkit predict photos/ --annotate annotated/ --model fast --detector fast`;

/** The words under the table that explain its ? marker. */
export const UNCERTAIN_LEGEND = (below: number) => `? = uncertain: the emotion's probability is below ${below} (--uncertain-below)`;

/** Said under the table when a picture had no face: what to try. */
export const NO_FACE_HINT = 'no face: if the picture is a face crop already, try --crops (no detection); for faces under about 20 pixels, enlarge the picture';

const PREDICT_FLAGS = {
  ...OUTPUT_FLAGS,
  ...stringFlags('annotate', 'annotate-style'),
  ...RECOGNIZER_FLAGS,
  ...FACE_FLAGS,
  ...stringFlags('concurrency'),
};

/** What `ferkit predict` was asked to do. */
interface PredictRequest {
  inputs: string[];
  format: ResultFormat;
  recognizer: RecognizerOptions;
  concurrency: number;
  /** Where annotated pictures go, and how they are drawn. */
  annotate?: { dir: string; style: AnnotateStyle };
}

/** The command line, checked. */
function parsePredict(argv: string[]): PredictRequest {
  const { values: v, positionals } = parseFlags(argv, PREDICT_FLAGS, true);
  if (positionals.length === 0) throw new FerkitError('BAD_ARGUMENT', 'predict needs at least one FILE, DIR or GLOB');
  if (v.json && v.csv) throw new FerkitError('BAD_ARGUMENT', 'give either --json or --csv, not both');
  const concurrency = intFlag(v.concurrency, 'concurrency', 4);
  const style = annotateStyleFlag(v['annotate-style'], v.annotate, '--annotate');
  if (concurrency < 1) throw new FerkitError('BAD_ARGUMENT', '--concurrency must be at least 1');
  return {
    inputs: positionals,
    format: v.json ? 'json' : v.csv ? 'csv' : 'table',
    recognizer: recognizerOptions(v),
    concurrency,
    ...(v.annotate ? { annotate: { dir: v.annotate, style } } : {}),
  };
}

export async function predictCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const request = parsePredict(argv);
  const { files, missing } = expandInputs(request.inputs);
  const uncertainBelow = request.recognizer.uncertainBelow ?? DEFAULT_UNCERTAIN_BELOW;
  const printer = picturePrinter(request.format, out, { uncertain: UNCERTAIN_LEGEND(uncertainBelow), noFace: NO_FACE_HINT });
  for (const m of missing) {
    const message = `${m}: no such file, directory or matching glob`;
    log(`error: ${message}`);
    printer.picture(failedPictureRecord(m, 'DATA_NOT_FOUND', message));
  }
  if (files.length === 0) {
    log('nothing to do: no image files found');
    return 1;
  }
  const { faces, failed } = await recognizeAll(files, request, printer, log);
  printer.end();
  // the whole command, from the start of the process (loading the engine and the model included)
  log(
    `${files.length} picture(s), ${faces} face(s), ${failed + missing.length} failed, in ${(performance.now() / 1000).toFixed(1)}s${request.annotate ? `; annotated pictures in ${request.annotate.dir}` : ''}`,
  );
  return failed + missing.length > 0 ? 1 : 0;
}

/** Recognizes the files, printing each picture in input order as results arrive, with progress on a terminal. */
async function recognizeAll(files: string[], request: PredictRequest, printer: PicturePrinter, log: (s: string) => void) {
  const recognizer = await createRecognizer(request.recognizer);
  const { annotate: annotation } = request;
  if (annotation) mkdirSync(annotation.dir, { recursive: true });
  const names = annotatedNames(files);
  const status = new StatusLine(process.stderr, files.length > 1);
  const t0 = performance.now();
  let done = 0,
    failed = 0,
    faces = 0;
  const print = (r: FileRecognition) => {
    if (r.error) {
      failed++;
      status.clear();
      log(`error: ${r.error.message}`);
      printer.picture(failedPictureRecord(r.file, r.error instanceof FerkitError ? r.error.code : 'INTERNAL', r.error.message));
      return;
    }
    const record = pictureRecord(r.file, r.faces ?? []);
    faces += record.faces.length;
    printer.picture(record);
  };
  try {
    await recognizeFiles(recognizer, files, {
      concurrency: request.concurrency,
      onRecognized: annotation
        ? async (file, image, found, i) => {
            await drawOn(image, found, join(annotation.dir, names[i]), annotation.style);
          }
        : undefined,
      onResult: (r) => {
        done++;
        print(r);
        const el = (performance.now() - t0) / 1000;
        status.show(
          `${done}/${files.length} pictures, ${faces} faces, ${(done / el).toFixed(1)} pictures/s, ETA ${Math.round((el / done) * (files.length - done))}s`,
        );
      },
    });
  } finally {
    recognizer.dispose();
  }
  status.clear();
  return { faces, failed };
}

/** Draws the faces on the pixels already decoded (EXIF orientation applied), not on a second decode of the file. */
function drawOn(image: RgbImage, faces: FaceEmotion[], path: string, style: AnnotateStyle): Promise<unknown> {
  return annotate({ data: image.data, width: image.width, height: image.height, channels: 3 }, faces, path, { style });
}
