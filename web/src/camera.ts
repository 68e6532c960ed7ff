/** The webcam: a stream into a video element, and what to tell the user when there is none. */

/** Why the camera cannot be used, in words for the user. */
export function cameraProblem(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'The camera permission was refused. Allow the camera for this site in the browser (the camera icon in the address bar) and press Start again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Connect a camera and press Start again, or choose a photo instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is in use by another program or could not be started. Close the other program and press Start again.';
    default:
      return `The camera could not be started (${err instanceof Error ? err.message : String(err)}).`;
  }
}

/** Starts the camera into `video`; throws a message for the user when it cannot. */
export async function startCamera(video: HTMLVideoElement): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This browser gives this page no camera: camera access needs a secure page (https, or http://localhost) and a recent browser.');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
  } catch (err) {
    throw new Error(cameraProblem(err), { cause: err });
  }
  video.srcObject = stream;
  await video.play();
  if (!video.videoWidth) await new Promise<void>((resolve) => video.addEventListener('loadeddata', () => resolve(), { once: true }));
  return stream;
}

export function stopCamera(video: HTMLVideoElement, stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
  video.srcObject = null;
}

/**
 * Calls `onFrame` at each new frame of the video (its frame callback,
 * where the browser has one; else at each animation frame) until the
 * returned function is called.
 */
export function onVideoFrames(video: HTMLVideoElement, onFrame: () => void): () => void {
  let stopped = false;
  if (typeof video.requestVideoFrameCallback === 'function') {
    let handle = 0;
    const next = () => {
      if (stopped) return;
      onFrame();
      if (!stopped) handle = video.requestVideoFrameCallback(next);
    };
    handle = video.requestVideoFrameCallback(next);
    return () => {
      stopped = true;
      video.cancelVideoFrameCallback(handle);
    };
  }
  let handle = 0;
  let last = -1;
  const poll = () => {
    if (stopped) return;
    // a new picture only when the video's time moved on
    if (video.currentTime !== last) {
      last = video.currentTime;
      onFrame();
    }
    if (!stopped) handle = requestAnimationFrame(poll);
  };
  handle = requestAnimationFrame(poll);
  return () => {
    stopped = true;
    cancelAnimationFrame(handle);
  };
}

/** Frames per second over the last few seconds. */
export class RateMeter {
  private times: number[] = [];
  constructor(private readonly windowMs = 3000) {}
  tick(now: number): number {
    this.times.push(now);
    while (this.times.length > 2 && now - this.times[0] > this.windowMs) this.times.shift();
    if (this.times.length < 2) return 0;
    return ((this.times.length - 1) * 1000) / (now - this.times[0]);
  }
  reset(): void {
    this.times = [];
  }
}
