import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, matchEmotion, emotionIndex } from './labels.js';

test('the seven emotions are in FER2013 order', () => {
  assert.deepEqual([...EMOTIONS], ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
  assert.equal(emotionIndex('happy'), 3);
});

test('folder names match labels case-insensitively, with synonyms and index prefixes', () => {
  const cases: Record<string, string | undefined> = {
    Angry: 'angry',
    ANGER: 'angry',
    sadness: 'sad',
    Happiness: 'happy',
    fearful: 'fear',
    disgusted: 'disgust',
    surprised: 'surprise',
    Neutral: 'neutral',
    '3_happy': 'happy',
    '06-neutral': 'neutral',
    contempt: undefined,
    faces: undefined,
  };
  for (const [name, want] of Object.entries(cases)) assert.equal(matchEmotion(name), want, name);
});
