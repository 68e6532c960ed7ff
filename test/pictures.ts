/**
 * Hostile pictures written by hand, byte by byte: headers that claim more
 * than their few bytes hold (huge sides, a thousand samples per pixel,
 * strips of millions of rows). Decoding what they claim would take minutes
 * and gigabytes; ferkit must refuse them from their headers.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, bitDepth = 8, colourType = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width >>> 0, 0);
  data.writeUInt32BE(height >>> 0, 4);
  data.set([bitDepth, colourType, 0, 0, 0], 8);
  return chunk('IHDR', data);
}

/** A PNG that says it is `width` x `height` grey pixels (its data is cut short). */
export function pngHeader(width: number, height: number, bitDepth = 8, colourType = 0): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height, bitDepth, colourType),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A complete, valid grey PNG of `width` x `height` black pixels: its rows
 * (a filter byte and the pixels, all zero) deflate to about 1/1000 of their
 * size, so a strip of 1 x 16 million pixels takes about 31 KB.
 */
export function pngStrip(width: number, height: number): Buffer {
  const idat = deflateSync(Buffer.alloc((width + 1) * height), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A little-endian TIFF of one uncompressed strip that says it is `width` x
 * `height` pixels of `samples` samples of `bits` bits each (grey, or RGB
 * with extra samples), holding 16 bytes of data: a header of about 150
 * bytes that, decoded as it claims, would take width x height x samples x
 * bits / 8 bytes.
 */
export function tiffHeader(width: number, height: number, samples: number, bits = 8, sampleFormat = 1): Buffer {
  const dataLength = 16;
  const entries: [tag: number, type: 3 | 4, value: number][] = [
    [256, 4, width], // ImageWidth
    [257, 4, height], // ImageLength
    [258, 3, bits], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, samples >= 3 ? 2 : 1], // Photometric: RGB or black-is-zero
    [273, 4, 0], // StripOffsets (filled in below)
    [277, 3, samples], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, dataLength], // StripByteCounts
    [284, 3, 1], // PlanarConfiguration: contiguous
    [339, 3, sampleFormat], // SampleFormat: 1 unsigned, 3 float
  ];
  const ifd = 8;
  const data = ifd + 2 + entries.length * 12 + 4;
  const b = Buffer.alloc(data + dataLength);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifd, 4);
  b.writeUInt16LE(entries.length, ifd);
  entries.forEach(([tag, type, value], i) => {
    const at = ifd + 2 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(1, at + 4);
    const v = tag === 273 ? data : value;
    if (type === 3) b.writeUInt16LE(v & 0xffff, at + 8);
    else b.writeUInt32LE(v >>> 0, at + 8);
  });
  return b;
}
