import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWeightMap } from './weight-map.js';
import { FerkitError } from '../errors.js';

test('decodeWeightMap reads float32 and uint8/uint16-quantised weights in manifest order, and refuses short or unknown data', () => {
  const f32 = new Uint8Array(Float32Array.from([1.5, -2]).buffer);
  const u8 = Uint8Array.from([0, 2, 4]);
  const u16 = new Uint8Array(Uint16Array.from([10, 20]).buffer);
  const data = new Uint8Array([...f32, ...u8, ...u16]);
  const map = decodeWeightMap(
    data,
    [
      { name: 'a', shape: [2], dtype: 'float32' },
      { name: 'b', shape: [3, 1], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'c', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.1, min: 0 } },
    ],
    'test',
  );
  assert.deepEqual([...map.get('a')!.data], [1.5, -2]);
  assert.deepEqual([...map.get('b')!.data], [-1, 0, 1]);
  assert.deepEqual(map.get('b')!.shape, [3, 1]);
  assert.deepEqual(
    [...map.get('c')!.data].map((x) => +x.toFixed(5)),
    [1, 2],
  );
  assert.throws(
    () => decodeWeightMap(data.subarray(0, 9), [{ name: 'a', shape: [3], dtype: 'float32' }], 'test'),
    (e: unknown) => e instanceof FerkitError && /fewer than the weights need/.test(e.message),
  );
  assert.throws(
    () => decodeWeightMap(data, [{ name: 'a', shape: [1], dtype: 'float32', quantization: { dtype: 'float16' } }], 'test'),
    (e: unknown) => e instanceof FerkitError && e.code === 'BAD_MODEL' && /only uint8 and uint16/.test(e.message),
  );
});
