import { FerkitError } from '../core/errors.js';
import type { RecognizerOptions } from '../node/index.js';
import type { TestTimeAugmentation } from '../core/models/tta.js';
import { backendFlag, detectorFlag, numFlag, runtimeFlag } from './args.js';

/** The recognizer's flags as parsed (RECOGNIZER_FLAGS and FACE_FLAGS; a command gives those it takes). */
export interface RecognizerFlags {
  model?: string;
  backend?: string;
  runtime?: string;
  detector?: string;
  'min-confidence'?: string;
  'uncertain-below'?: string;
  margin?: string;
  'no-align'?: boolean;
  crops?: boolean;
  tta?: boolean;
  'ten-crop'?: boolean;
}

/** The test-time augmentation --tta (flip) or --ten-crop asks for; false for none. */
export function ttaOption(v: Pick<RecognizerFlags, 'tta' | 'ten-crop'>): TestTimeAugmentation {
  if (v.tta && v['ten-crop']) throw new FerkitError('BAD_ARGUMENT', '--tta and --ten-crop are two test-time augmentations: give one');
  return v['ten-crop'] ? 'ten-crop' : Boolean(v.tta);
}

/**
 * The recognizer flags as the library's RecognizerOptions, checked: an
 * option is set only where its flag is given (the library's defaults
 * otherwise), but for the detector, which is always set (--crops: none).
 */
export function recognizerOptions(v: RecognizerFlags): RecognizerOptions {
  const tta = ttaOption(v);
  return {
    ...(v.model ? { model: v.model } : {}),
    ...(v.backend !== undefined ? { backend: backendFlag(v.backend) } : {}),
    ...(v.runtime !== undefined ? { runtime: runtimeFlag(v.runtime) } : {}),
    detector: v.crops ? false : { kind: detectorFlag(v.detector), minConfidence: numFlag(v['min-confidence'], 'min-confidence', 0.5) },
    ...(v.margin !== undefined ? { margin: numFlag(v.margin, 'margin', 0) } : {}),
    ...(v['no-align'] ? { align: false } : {}),
    ...(v['uncertain-below'] !== undefined ? { uncertainBelow: numFlag(v['uncertain-below'], 'uncertain-below', 0) } : {}),
    ...(tta ? { tta } : {}),
  };
}
