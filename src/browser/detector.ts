/** The face detectors in a browser: BlazeFace (fast) and face-api's SSD-MobileNet (accurate), weights fetched by URL. */
import { FerkitError } from '../core/errors.js';
import { BLAZEFACE_MODEL_FILE, BlazeFaceDetector } from '../core/face/blazeface.js';
import { loadGraphModelFrom } from '../core/models/loader.js';
import { ChoosingDetector } from '../core/face/choice.js';
import type { Detector, DetectorOptions } from '../core/face/detector.js';
import { loadBrowserFaceDetector } from './face-api.js';
import { urlFiles } from './model-url.js';

export interface DetectorUrls {
  /** Folder URL of face-api's pretrained weights (the accurate detector). */
  detectorUrl?: string | undefined;
  /** Folder URL of BlazeFace's `blazeface.json` and `.bin` (the fast detector; `ferkit serve` has them at `/blazeface/`). */
  fastDetectorUrl?: string | undefined;
}

/**
 * Loads the detectors `options.kind` needs from their URLs. `auto` (default)
 * uses both where both URLs are given, else the one whose URL is.
 */
export async function loadBrowserDetector(urls: DetectorUrls, options: DetectorOptions = {}): Promise<ChoosingDetector> {
  const { kind = 'auto', ...rest } = options;
  const wantFast = kind === 'fast' || (kind === 'auto' && urls.fastDetectorUrl !== undefined);
  const wantAccurate = kind === 'accurate' || (kind === 'auto' && urls.detectorUrl !== undefined);
  if (wantFast && !urls.fastDetectorUrl)
    throw new FerkitError(
      'BAD_ARGUMENT',
      'the fast face detector needs fastDetectorUrl: the URL of the folder holding blazeface.json (/blazeface/ on ferkit serve)',
    );
  if (wantAccurate && !urls.detectorUrl)
    throw new FerkitError('BAD_ARGUMENT', "the accurate face detector needs detectorUrl: the URL of face-api's model folder (/face-api/ on ferkit serve)");
  if (!wantFast && !wantAccurate)
    throw new FerkitError(
      'BAD_ARGUMENT',
      "finding faces needs detectorUrl (face-api's model folder) or fastDetectorUrl (BlazeFace's), or detector: false for pictures that are one face each",
    );
  const detectors: { fast?: Detector; accurate?: Detector } = {};
  try {
    if (wantFast)
      detectors.fast = BlazeFaceDetector.create(await loadGraphModelFrom(urlFiles(urls.fastDetectorUrl!), BLAZEFACE_MODEL_FILE), {
        ...(rest.minConfidence !== undefined ? { minConfidence: rest.minConfidence } : {}),
        ...(rest.maxFaces !== undefined ? { maxFaces: rest.maxFaces } : {}),
      });
    if (wantAccurate) detectors.accurate = await loadBrowserFaceDetector(urls.detectorUrl!, rest);
  } catch (err) {
    detectors.fast?.dispose();
    detectors.accurate?.dispose();
    throw err;
  }
  return new ChoosingDetector(detectors, kind);
}
