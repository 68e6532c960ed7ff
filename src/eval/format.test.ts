import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictionsCsv } from './format.js';

test('predictions CSV: a header, one row per image with the argmax, its probability, right or wrong, and every probability', () => {
  const data = { ids: ['a.csv:1', 'dir/with,comma.png'], rows: Int32Array.from([1, -1]), labels: Int32Array.from([2, 0]), count: 2 };
  const probs = Float32Array.from([0.1, 0.2, 0.7, 0.5, 0.25, 0.25]);
  const csv = predictionsCsv(data, probs, ['x', 'y', 'z']);
  assert.equal(
    csv,
    ['id,row,label,predicted,confidence,correct,x,y,z', 'a.csv:1,1,z,z,0.7,true,0.1,0.2,0.7', '"dir/with,comma.png",-1,x,x,0.5,true,0.5,0.25,0.25'].join('\n') +
      '\n',
  );
  const wrong = predictionsCsv({ ...data, labels: Int32Array.from([0, 1]) }, probs, ['x', 'y', 'z']);
  assert.match(wrong, /^a\.csv:1,1,x,z,0\.7,false,/m);
  assert.throws(() => predictionsCsv(data, probs.subarray(3), ['x', 'y', 'z']), RangeError);
});
