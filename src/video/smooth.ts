/** Smoothing of emotion probabilities over time: the platform-neutral functions of src/core/track/smooth.ts, for the video modules. */
export { l1, smoothStep } from '../core/track/smooth.js';
