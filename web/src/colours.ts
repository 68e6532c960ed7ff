/** One colour per emotion (ferkit's annotated pictures use the same ones). */
import type { Emotion } from '../../src/labels.js';

export const EMOTION_COLOURS: Record<Emotion, string> = {
  angry: '#e6194b',
  disgust: '#3cb44b',
  fear: '#911eb4',
  happy: '#ffb000',
  sad: '#4363d8',
  surprise: '#f58231',
  neutral: '#a9a9a9',
};
