/**
 * What a file is, from its first bytes alone. ferkit hands a decoder only
 * the bytes whose signature is one of the formats it reads, so no other
 * parser (SVG, PDF, XML, ...) ever sees untrusted input. Pure.
 */

/** The formats ferkit reads, by signature; `heif` is the ISO media container (AVIF, and HEIC which is refused later). */
export const READABLE_SIGNATURES = ['jpeg', 'png', 'gif', 'webp', 'tiff', 'heif'] as const;
export type ReadableSignature = (typeof READABLE_SIGNATURES)[number];

/** How many leading bytes `sniffFormat` needs. */
export const SNIFF_BYTES = 64;

const ascii = (b: Uint8Array, at: number, text: string) => b.length >= at + text.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));
const bytes = (b: Uint8Array, at: number, values: readonly number[]) => b.length >= at + values.length && values.every((v, i) => b[at + i] === v);

/**
 * The format of a file from its first bytes (give at least SNIFF_BYTES):
 * one of READABLE_SIGNATURES, `svg` or `pdf` (named, so that a refusal can
 * say what it refused), or undefined for anything else.
 */
export function sniffFormat(head: Uint8Array): ReadableSignature | 'svg' | 'pdf' | undefined {
  if (bytes(head, 0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (bytes(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  // TIFF and BigTIFF, little- and big-endian
  if (bytes(head, 0, [0x49, 0x49, 0x2a, 0x00]) || bytes(head, 0, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (bytes(head, 0, [0x49, 0x49, 0x2b, 0x00]) || bytes(head, 0, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (ascii(head, 4, 'ftyp')) return 'heif';
  if (ascii(head, 0, '%PDF')) return 'pdf';
  // XML or SVG text, after an optional byte-order mark and white space
  let i = bytes(head, 0, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (ascii(head, i, '<?xml') || ascii(head, i, '<svg') || ascii(head, i, '<!DOCTYPE svg')) return 'svg';
  return undefined;
}
