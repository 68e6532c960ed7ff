import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, type Emotion } from './labels.js';
import { failedPictureRecord, type FaceRecord, type PictureRecord } from './results.js';
import { csvCell, pictureCsvLines, picturePrinter, pictureTableRows, PICTURE_CSV_HEADER, table, timelinePrinter } from './results-format.js';

const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, e === 'happy' ? 0.9 : 0.0167])) as Record<Emotion, number>;
const face = (faceId: number, uncertain = false): FaceRecord => ({
  faceId,
  box: { x: 10.4, y: 20.5, width: 30.2, height: 40.6 },
  score: 0.95,
  emotion: 'happy',
  confidence: 0.9,
  uncertain,
  top: [{ label: 'happy', score: 0.9 }],
  emotions,
  roll: 0,
});
const twoFaces: PictureRecord = { file: 'a,b.jpg', faces: [face(1), face(2, true)] };
const none: PictureRecord = { file: 'none.jpg', faces: [] };
const failed = failedPictureRecord('bad.jpg', 'BAD_IMAGE', 'bad.jpg: cannot decode image');

test('CSV cells: quotes, commas and line breaks are quoted; numbers and booleans are not', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('a\nb'), '"a\nb"');
  assert.equal(csvCell('a\rb'), '"a\rb"');
  assert.equal(csvCell(0.5), '0.5');
  assert.equal(csvCell(true), 'true');
});

test('a table pads its columns: the first to the left, the others to the right', () => {
  assert.equal(
    table([
      ['a', 'bb'],
      ['ccc', 'd'],
    ]),
    'a    bb\nccc   d',
  );
  assert.equal(
    table(
      [
        ['a', 'bb'],
        ['ccc', 'd'],
      ],
      false,
    ),
    'a    bb\nccc  d',
  );
});

test("a picture's CSV lines: a row per face, an empty row for none, its error for a failure", () => {
  const columns = PICTURE_CSV_HEADER.split(',').length;
  const lines = pictureCsvLines(twoFaces).split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.match(lines[0], /^"a,b\.jpg",1,10\.4,20\.5,30\.2,40\.6,0\.95,happy,0\.9,false,/);
  assert.match(lines[1], /^"a,b\.jpg",2,.*,true,/);
  assert.ok(lines[0].endsWith(','), 'an empty error cell');
  assert.equal(pictureCsvLines(none), 'none.jpg' + ','.repeat(columns - 1) + '\n');
  assert.equal(pictureCsvLines(failed), 'bad.jpg' + ','.repeat(columns - 2) + ',BAD_IMAGE: bad.jpg: cannot decode image\n');
});

test("a picture's table rows: the box rounded, ? before an uncertain emotion, a row saying so for no face", () => {
  const rows = pictureTableRows(twoFaces);
  assert.deepEqual(rows[0].slice(0, 5), ['a,b.jpg', '1', '10,21,30,41', 'happy', '0.90']);
  assert.equal(rows[1][3], '?happy');
  assert.deepEqual(pictureTableRows(none)[0].slice(0, 5), ['none.jpg', '-', 'no face', '', '']);
});

test('the picture printers: JSON Lines, CSV with its header first, a table at the end with the notes it needs', () => {
  const printed = (format: 'json' | 'csv' | 'table', pictures: PictureRecord[]) => {
    let text = '';
    const p = picturePrinter(format, (s) => (text += s), { uncertain: 'NOTE uncertain', noFace: 'NOTE no face' });
    for (const r of pictures) p.picture(r);
    p.end();
    return text;
  };
  assert.deepEqual(
    printed('json', [failed, none])
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    [failed, none],
  );
  assert.equal(printed('csv', [failed]), PICTURE_CSV_HEADER + '\n' + pictureCsvLines(failed));
  const text = printed('table', [twoFaces, failed]);
  assert.match(text, /^file +face +box/);
  assert.doesNotMatch(text, /bad\.jpg/, 'a failed picture is left out of the table');
  assert.match(text, /NOTE uncertain\n$/);
  assert.doesNotMatch(text, /NOTE no face/);
  assert.match(printed('table', [none]), /no face\n?.*NOTE no face\n$/s);
});

test('the timeline printer: CSV with its header first, or JSON Lines', () => {
  let csv = '';
  const line = timelinePrinter('csv', (s) => (csv += s));
  line({ time: 0.2, frame: 1, ...face(3) });
  const [header, row] = csv.split('\n');
  assert.match(header, /^time,frame,faceId,x,y,/);
  assert.match(row, /^0\.2,1,3,10\.4,/);
  let json = '';
  timelinePrinter('json', (s) => (json += s))({ time: 0.2, frame: 1, ...face(3) });
  assert.equal((JSON.parse(json) as { faceId: number }).faceId, 3);
});
