import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerkitError } from '../core/errors.js';
import { recognizerOptions, ttaOption } from './recognizer-options.js';

const refused = (f: () => unknown, message: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && message.test(e.message));

test('recognizer flags: only the options given, but for the detector (auto, 0.5 when not given)', () => {
  assert.deepEqual(recognizerOptions({}), { detector: { kind: 'auto', minConfidence: 0.5 } });
  assert.deepEqual(
    recognizerOptions({
      model: 'fast',
      backend: 'cpu',
      runtime: 'onnx',
      detector: 'fast',
      'min-confidence': '0.7',
      margin: '0.2',
      'no-align': true,
      'uncertain-below': '0.3',
      tta: true,
    }),
    {
      model: 'fast',
      backend: 'cpu',
      runtime: 'onnx',
      detector: { kind: 'fast', minConfidence: 0.7 },
      margin: 0.2,
      align: false,
      uncertainBelow: 0.3,
      tta: true,
    },
  );
  assert.equal(recognizerOptions({ crops: true, detector: 'fast' }).detector, false);
  assert.equal(recognizerOptions({ 'ten-crop': true }).tta, 'ten-crop');
});

test('recognizer flags are checked, with the flag to fix', () => {
  refused(() => recognizerOptions({ detector: 'fats' }), /--detector must be one of .*did you mean fast/);
  refused(() => recognizerOptions({ backend: 'gpu' }), /--backend must be one of/);
  refused(() => recognizerOptions({ runtime: 'onx' }), /--runtime must be one of .*did you mean onnx/);
  refused(() => recognizerOptions({ 'min-confidence': 'high' }), /--min-confidence must be a number/);
  refused(() => ttaOption({ tta: true, 'ten-crop': true }), /give one/);
  assert.equal(ttaOption({}), false);
});
