import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { EMOTIONS } from '../core/labels.js';
import { createRecognizer } from '../node/index.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import { FACE_CSV_COLUMNS, faceCsvCells, pictureRecord, type PictureRecord } from '../core/results.js';
import { recognizeFiles, type FileRecognition } from '../core/recognize-files.js';
import { annotate } from '../draw/annotate.js';
import { csvCell, table } from '../eval/format.js';
import { expandInputs } from './files.js';
import { annotateStyleFlag, intFlag, numFlag, parseFlags, backendFlag, detectorFlag, runtimeFlag } from './args.js';
import { IMAGE_FORMAT_NAMES } from './files.js';

type PictureError = NonNullable<PictureRecord['error']>;

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

export async function predictCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseFlags(
    argv,
    {
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      annotate: { type: 'string' },
      'annotate-style': { type: 'string' },
      model: { type: 'string' },
      'min-confidence': { type: 'string' },
      detector: { type: 'string' },
      'uncertain-below': { type: 'string' },
      margin: { type: 'string' },
      'no-align': { type: 'boolean' },
      crops: { type: 'boolean' },
      concurrency: { type: 'string' },
      backend: { type: 'string' },
      runtime: { type: 'string' },
      tta: { type: 'boolean' },
    },
    true,
  );
  if (positionals.length === 0) throw new FerkitError('BAD_ARGUMENT', 'predict needs at least one FILE, DIR or GLOB');
  if (v.json && v.csv) throw new FerkitError('BAD_ARGUMENT', 'give either --json or --csv, not both');
  const concurrency = intFlag(v.concurrency, 'concurrency', 4);
  const annotateStyle = annotateStyleFlag(v['annotate-style'], v.annotate, '--annotate');
  if (concurrency < 1) throw new FerkitError('BAD_ARGUMENT', '--concurrency must be at least 1');
  const { files, missing } = expandInputs(positionals);
  const csvHeader = () => out(['file', ...FACE_CSV_COLUMNS, 'error'].join(',') + '\n');
  /** A picture that failed: its record in --json, its row in --csv, as a picture that did not. */
  const failure = (file: string, code: PictureError['code'], message: string) => {
    if (v.json) out(JSON.stringify({ file, faces: [], error: { code, message } } satisfies PictureRecord) + '\n');
    else if (v.csv) out([csvCell(file), ...FACE_CSV_COLUMNS.map(() => ''), csvCell(`${code}: ${message}`)].join(',') + '\n');
  };
  if (v.csv) csvHeader();
  for (const m of missing) {
    const message = `${m}: no such file, directory or matching glob`;
    log(`error: ${message}`);
    failure(m, 'DATA_NOT_FOUND', message);
  }
  if (files.length === 0) {
    log('nothing to do: no image files found');
    return 1;
  }
  const uncertainBelow = numFlag(v['uncertain-below'], 'uncertain-below', DEFAULT_UNCERTAIN_BELOW);
  const recognizer = await createRecognizer({
    ...(v.model ? { model: v.model } : {}),
    ...(v.backend ? { backend: backendFlag(v.backend) } : {}),
    ...(v.runtime ? { runtime: runtimeFlag(v.runtime) } : {}),
    detector: v.crops ? false : { kind: detectorFlag(v.detector), minConfidence: numFlag(v['min-confidence'], 'min-confidence', 0.5) },
    ...(v.margin !== undefined ? { margin: numFlag(v.margin, 'margin', 0) } : {}),
    align: !v['no-align'],
    uncertainBelow,
    tta: Boolean(v.tta),
  });
  if (v.annotate) mkdirSync(v.annotate, { recursive: true });
  const annotated = new Set<string>();
  const tty = Boolean(process.stderr.isTTY) && files.length > 1;
  const t0 = performance.now();
  let done = 0,
    failed = missing.length,
    faceCount = 0;

  // header and rows are printed in input order as results arrive
  const tableRows: string[][] = [['file', 'face', 'box (x,y,w,h)', 'emotion', 'conf', ...EMOTIONS.map((e) => e.slice(0, 4))]];
  let uncertainShown = false;
  let noFaceShown = false;
  const emit = (r: FileRecognition) => {
    if (r.error) {
      failed++;
      if (tty) process.stderr.write('\r\x1b[2K');
      log(`error: ${r.error.message}`);
      failure(r.file, r.error instanceof FerkitError ? r.error.code : 'INTERNAL', r.error.message);
      return;
    }
    const rec = pictureRecord(r.file, r.faces ?? []);
    faceCount += rec.faces.length;
    if (v.json) out(JSON.stringify(rec) + '\n');
    else if (v.csv) {
      if (rec.faces.length === 0) out([csvCell(r.file), ...FACE_CSV_COLUMNS.map(() => ''), ''].join(',') + '\n');
      for (const f of rec.faces) out([csvCell(r.file), ...faceCsvCells(f), ''].join(',') + '\n');
    } else {
      if (rec.faces.length === 0) tableRows.push([r.file, '-', 'no face', '', '', ...EMOTIONS.map(() => '')]);
      noFaceShown ||= rec.faces.length === 0;
      for (const f of rec.faces) {
        const b = f.box;
        uncertainShown ||= f.uncertain;
        tableRows.push([
          r.file,
          String(f.faceId),
          `${Math.round(b.x)},${Math.round(b.y)},${Math.round(b.width)},${Math.round(b.height)}`,
          `${f.uncertain ? '?' : ''}${f.emotion}`,
          f.confidence.toFixed(2),
          ...EMOTIONS.map((e) => f.emotions[e].toFixed(2)),
        ]);
      }
    }
  };

  try {
    await recognizeFiles(recognizer, files, {
      concurrency,
      onRecognized: v.annotate
        ? async (file, image, faces, i) => {
            let name = basename(file, extname(file)) + (['.png', '.jpg', '.jpeg', '.webp'].includes(extname(file).toLowerCase()) ? extname(file) : '.png');
            if (annotated.has(name)) name = `${i + 1}-${name}`;
            annotated.add(name);
            // draw on the pixels already decoded (EXIF orientation applied), not a second decode of the file
            await annotate({ data: image.data, width: image.width, height: image.height, channels: 3 }, faces, join(v.annotate!, name), {
              style: annotateStyle,
            });
          }
        : undefined,
      onResult: (r) => {
        done++;
        emit(r);
        if (tty) {
          const el = (performance.now() - t0) / 1000;
          process.stderr.write(
            `\r\x1b[2K${done}/${files.length} pictures, ${faceCount} faces, ${(done / el).toFixed(1)} pictures/s, ETA ${Math.round((el / done) * (files.length - done))}s`,
          );
        }
      },
    });
  } finally {
    recognizer.dispose();
  }
  if (tty) process.stderr.write('\r\x1b[2K');
  if (!v.json && !v.csv)
    out(table(tableRows) + '\n' + (uncertainShown ? UNCERTAIN_LEGEND(uncertainBelow) + '\n' : '') + (noFaceShown ? NO_FACE_HINT + '\n' : ''));
  // the whole command, from the start of the process (loading the engine and the model included)
  log(
    `${files.length} picture(s), ${faceCount} face(s), ${failed} failed, in ${(performance.now() / 1000).toFixed(1)}s${v.annotate ? `; annotated pictures in ${v.annotate}` : ''}`,
  );
  return failed > 0 ? 1 : 0;
}
