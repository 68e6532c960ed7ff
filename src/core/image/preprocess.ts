/**
 * The one path from a decoded picture to a model's input: grey (BT.601
 * luminance), cut and resampled to 48x48 bytes. Training folders, evaluation
 * and the recognizer all go through it, so a model sees in use the pixels it
 * was trained on. Pure.
 */
import type { CropGeometry } from './geometry.js';
import { toGrey, type RgbImage } from './pixels.js';

/** Side of the square grey images every ferkit model sees. */
export const IMAGE_SIZE = 48;
export const PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE;

/** A picture that is one face already (a FER2013 image, a crop): its centre, a square of its longer side, level. */
export function wholePicture(width: number, height: number): CropGeometry {
  return { center: { x: width / 2, y: height / 2 }, side: Math.max(width, height), angle: 0 };
}

/** The model inputs (48x48 grey bytes each, one after the other) of the faces at `crops` in a picture. */
export function faceInputs(img: RgbImage, crops: readonly CropGeometry[]): Uint8Array {
  const out = new Uint8Array(crops.length * PIXELS_PER_IMAGE);
  if (crops.length === 0) return out;
  const grey = toGrey(img);
  crops.forEach((g, k) => out.set(extractCrop(grey, img.width, img.height, g), k * PIXELS_PER_IMAGE));
  return out;
}

/** The model input of a picture that is one face already. */
export function wholeFaceInput(img: RgbImage): Uint8Array {
  return faceInputs(img, [wholePicture(img.width, img.height)]);
}

/**
 * Cuts a rotated square out of a grey image and resamples it to
 * `size` x `size` bytes, averaging `supersample`^2 bilinear samples per output
 * pixel when it shrinks (so large faces are averaged, not aliased), one
 * bilinear sample when it does not. Outside the image the
 * nearest edge pixel is used.
 */
export function extractCrop(grey: Float32Array, width: number, height: number, g: CropGeometry, size = IMAGE_SIZE, supersample = 4): Uint8Array {
  const out = new Uint8Array(size * size);
  const cos = Math.cos(g.angle),
    sin = Math.sin(g.angle);
  const step = g.side / size;
  // averaging is for shrinking; a crop at its own scale or enlarged takes one sample per pixel (exact at scale 1)
  if (step <= 1) supersample = 1;
  const sub = step / supersample;
  const at = (x: number, y: number) => grey[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      let acc = 0;
      for (let sy = 0; sy < supersample; sy++) {
        for (let sx = 0; sx < supersample; sx++) {
          // offset from the crop centre in the crop's own (levelled) frame
          const u = ox * step + (sx + 0.5) * sub - g.side / 2;
          const v = oy * step + (sy + 0.5) * sub - g.side / 2;
          // rotate back into the image frame
          const x = g.center.x + u * cos - v * sin - 0.5;
          const y = g.center.y + u * sin + v * cos - 0.5;
          const x0 = Math.floor(x),
            y0 = Math.floor(y);
          const fx = x - x0,
            fy = y - y0;
          acc += (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
        }
      }
      out[oy * size + ox] = Math.round(acc / (supersample * supersample));
    }
  }
  return out;
}
