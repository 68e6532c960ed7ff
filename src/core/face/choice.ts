/**
 * Choosing between the two face detectors: `fast` (BlazeFace, about 10x
 * quicker, sees the picture at 256x256) and `accurate` (SSD-MobileNet v1 at
 * 512x512, tiles for large pictures, 68 landmarks). `auto` runs the fast one
 * and keeps its answer for close-ups; for anything else it also asks the
 * accurate one and keeps every face either found. Pure apart from the
 * detectors it is given.
 */
import { FerkitError } from '../errors.js';
import type { RgbImage } from '../image/pixels.js';
import type { DetectCall, DetectedFace, Detector, DetectorChoice } from './detector.js';
import { iou } from './tracker.js';

export type { DetectCall, DetectorChoice };
export const DETECTOR_CHOICES: readonly DetectorChoice[] = ['fast', 'accurate', 'auto'];

/** The choice named by a flag or an option, checked. */
export function detectorChoice(name: string): DetectorChoice {
  if ((DETECTOR_CHOICES as readonly string[]).includes(name)) return name as DetectorChoice;
  throw new FerkitError('BAD_ARGUMENT', `unknown face detector "${name}"; use fast, accurate or auto`);
}

/**
 * The smallest face, as a share of the picture's shorter side, for which
 * `auto` keeps the fast detector's answer. BlazeFace finds every face the
 * accurate detector finds down to about 5% of the picture's longer side and
 * loses them below (measured on group photos shrunk into larger pictures);
 * a picture whose faces are all this large is a close-up (a portrait, a
 * selfie, a webcam at a desk) where no face that small is expected.
 */
export const AUTO_CLOSE_UP_SHARE = 0.2;

/** `auto`'s rule: the fast detector's faces are kept when it found at least one and all are close-ups. Pure. */
export function fastIsEnough(faces: readonly DetectedFace[], width: number, height: number, minShare = AUTO_CLOSE_UP_SHARE): boolean {
  const side = Math.min(width, height);
  return faces.length > 0 && faces.every((f) => Math.max(f.box.width, f.box.height) >= minShare * side);
}

/** Boxes overlapping by more than this (IoU) are taken as the same face found twice. */
const SAME_FACE_IOU = 0.3;

/**
 * The accurate detector's faces, and the fast one's that none of them
 * overlaps (close-ups and tight crops, which SSD-MobileNet can miss), largest
 * first. Pure.
 */
export function mergeFaces(accurate: readonly DetectedFace[], fast: readonly DetectedFace[]): DetectedFace[] {
  const extra = fast.filter((f) => accurate.every((a) => iou(a.box, f.box) <= SAME_FACE_IOU));
  return [...accurate, ...extra].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
}

/**
 * Both detectors behind one, choosing per picture: `auto` (default), or
 * the one a call asks for. Either may be absent when it was not loaded; a
 * call asking for it then uses the other.
 */
export class ChoosingDetector implements Detector {
  constructor(
    private readonly detectors: { fast?: Detector; accurate?: Detector },
    readonly choice: DetectorChoice = 'auto',
  ) {
    if (!detectors.fast && !detectors.accurate) throw new FerkitError('BAD_ARGUMENT', 'a face detector needs the fast or the accurate network, or both');
  }

  /** Which detectors are loaded. */
  get loaded(): { fast: boolean; accurate: boolean } {
    return { fast: Boolean(this.detectors.fast), accurate: Boolean(this.detectors.accurate) };
  }

  async detect(img: RgbImage, call: DetectCall = {}): Promise<DetectedFace[]> {
    const { fast, accurate } = this.detectors;
    const choice = call.detector ?? this.choice;
    if (!fast || choice === 'accurate') return (accurate ?? fast)!.detect(img, call);
    if (!accurate || choice === 'fast') return fast.detect(img, call);
    const faces = await fast.detect(img, call);
    if (fastIsEnough(faces, img.width, img.height)) return faces;
    return mergeFaces(await accurate.detect(img, call), faces);
  }

  dispose(): void {
    this.detectors.fast?.dispose();
    this.detectors.accurate?.dispose();
  }
}
