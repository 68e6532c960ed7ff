import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffFormat } from './sniff.js';

const b = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

test('sniffing: the formats ferkit reads by their signatures, SVG and PDF by name, anything else unknown', () => {
  assert.equal(sniffFormat(b([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
  assert.equal(sniffFormat(b([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])), 'png');
  assert.equal(sniffFormat(b('GIF89a')), 'gif');
  assert.equal(sniffFormat(b('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')), 'webp');
  assert.equal(sniffFormat(b('RIFF', [1, 2, 3, 4], 'WAVEfmt ')), undefined);
  assert.equal(sniffFormat(b('II*', [0])), 'tiff');
  assert.equal(sniffFormat(b('MM', [0, 0x2a])), 'tiff');
  assert.equal(sniffFormat(b([0, 0, 0, 0x1c], 'ftypavif')), 'heif');
  assert.equal(sniffFormat(b('%PDF-1.4')), 'pdf');
  assert.equal(sniffFormat(b([0xef, 0xbb, 0xbf], '  \n<svg xmlns=')), 'svg');
  assert.equal(sniffFormat(b('<?xml version="1.0"?>')), 'svg');
  assert.equal(sniffFormat(b('BM')), undefined);
  assert.equal(sniffFormat(b([0xff, 0xd8])), undefined, 'too short to be a JPEG');
  assert.equal(sniffFormat(new Uint8Array(0)), undefined);
});
