import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotatedNames } from './files.js';

test('annotated pictures keep their name and format, or are written as PNG', () => {
  const cases = {
    'photos/a.jpg': 'a.jpg',
    'photos/B.JPEG': 'B.JPEG',
    'x/y.webp': 'y.webp',
    'scan.tiff': 'scan.png',
    'anim.gif': 'anim.png',
    noext: 'noext.png',
  };
  for (const [file, name] of Object.entries(cases)) assert.equal(annotatedNames([file])[0], name);
});

test('a name an earlier input has gets the input number in front, in input order', () => {
  assert.deepEqual(annotatedNames(['a/x.jpg', 'b/x.jpg', 'c/y.png', 'scan.tif', 'scan.png', 'd/x.jpg']), [
    'x.jpg',
    '2-x.jpg',
    'y.png',
    'scan.png',
    '5-scan.png',
    '6-x.jpg',
  ]);
});
