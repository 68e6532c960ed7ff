/** Smoothing of emotion probabilities over time: the platform-neutral functions of src/track/smooth.ts, for the video modules. */
export { l1, smoothStep } from '../track/smooth.js';
