/** Pictures in a browser (images, video frames, canvases, bitmaps) as RGB pixels for the recognizer. */
import { FerkitError } from '../core/errors.js';
import { rawToRgb, type RgbImage } from '../core/image/pixels.js';

/** What the browser recognizer accepts. */
export type BrowserImageInput = ImageData | ImageBitmap | HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | VideoFrame;

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** The natural size of a source, before any CSS scaling. */
export function sourceSize(source: Exclude<BrowserImageInput, ImageData>): { width: number; height: number } {
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) return { width: source.displayWidth, height: source.displayHeight };
  return { width: (source as { width: number }).width, height: (source as { height: number }).height };
}

/**
 * A reader of pixels that keeps one drawing canvas for all the frames it
 * reads (a webcam loop reads many of the same size).
 */
export function pixelReader(): (source: BrowserImageInput) => RgbImage {
  let canvas: OffscreenCanvas | HTMLCanvasElement | undefined;
  let context: Canvas2D | undefined;
  return (source) => {
    if (typeof ImageData !== 'undefined' && source instanceof ImageData)
      return rawToRgb({ data: source.data, width: source.width, height: source.height, channels: 4 });
    const { width, height } = sourceSize(source as Exclude<BrowserImageInput, ImageData>);
    if (!(width > 0 && height > 0))
      throw new FerkitError('BAD_IMAGE', 'the picture has no size yet; wait until an image has loaded (or a video has its first frame) before recognizing it');
    if (!canvas || !context) {
      canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
      context = (canvas.getContext('2d', { willReadFrequently: true }) ?? undefined) as Canvas2D | undefined;
      if (!context) throw new FerkitError('ENGINE_UNAVAILABLE', 'this browser gives no 2D canvas to read pixels with');
    }
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.drawImage(source as CanvasImageSource, 0, 0, width, height);
    const { data } = context.getImageData(0, 0, width, height);
    return rawToRgb({ data, width, height, channels: 4 });
  };
}
