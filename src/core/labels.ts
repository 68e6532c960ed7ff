/** The seven FER2013 emotions, in FER2013's order (its `emotion` column 0..6). */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];
export const NUM_CLASSES = EMOTIONS.length;

/** The seven emotions with their probabilities, most probable first (ties in FER2013's order). Pure. */
export function rankEmotions(probabilities: Readonly<Record<Emotion, number>>): { label: Emotion; score: number }[] {
  return EMOTIONS.map((label) => ({ label, score: probabilities[label] })).sort((a, b) => b.score - a.score);
}

/** Names people give the seven classes in folder names and other datasets. */
const SYNONYMS: Record<string, Emotion> = {
  angry: 'angry',
  anger: 'angry',
  mad: 'angry',
  furious: 'angry',
  disgust: 'disgust',
  disgusted: 'disgust',
  disgusting: 'disgust',
  fear: 'fear',
  fearful: 'fear',
  afraid: 'fear',
  scared: 'fear',
  happy: 'happy',
  happiness: 'happy',
  joy: 'happy',
  joyful: 'happy',
  sad: 'sad',
  sadness: 'sad',
  unhappy: 'sad',
  surprise: 'surprise',
  surprised: 'surprise',
  suprise: 'surprise',
  neutral: 'neutral',
  calm: 'neutral',
  neutrality: 'neutral',
};

/**
 * Maps a class name (a folder name, a dataset's label) onto one of the seven
 * emotions, case-insensitively, accepting common synonyms and a leading index
 * such as `3_happy` or `03-happy`. Returns undefined when nothing matches.
 */
export function matchEmotion(name: string): Emotion | undefined {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/^\d+[\s._-]*/, '')
    .replace(/[\s_-]+/g, '');
  return SYNONYMS[key];
}

/** Index (0..6) of an emotion in FER2013 order. */
export function emotionIndex(e: Emotion): number {
  return EMOTIONS.indexOf(e);
}

/** FER+ vote columns, in the order of `fer2013new.csv`, with the FER2013 class each maps to. */
export const FERPLUS_COLUMNS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt', 'unknown', 'NF'] as const;
export const FERPLUS_TO_FER: ReadonlyArray<Emotion | undefined> = [
  'neutral',
  'happy',
  'surprise',
  'sad',
  'angry',
  'disgust',
  'fear',
  undefined,
  undefined,
  undefined,
];

/** One colour per emotion, for drawing: annotated pictures, plots and the web page use the same ones. */
export const EMOTION_COLOURS: Record<Emotion, string> = {
  angry: '#e6194b',
  disgust: '#3cb44b',
  fear: '#911eb4',
  happy: '#ffb000',
  sad: '#4363d8',
  surprise: '#f58231',
  neutral: '#a9a9a9',
};
