/**
 * Whether bytes begin as a video container does (pure): MP4/MOV (an
 * ISO-BMFF box such as `ftyp` or `moov` at byte 4), Matroska/WebM (EBML),
 * AVI (RIFF ... AVI), MPEG-PS (pack start), MPEG-TS (sync bytes every 188),
 * FLV, Ogg and ASF. A check before an upload is stored, so that bytes no
 * demuxer would take do not sit in the queue; ffprobe still decides.
 */
const BOXES = ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'];

export function videoContainer(bytes: Uint8Array): string | undefined {
  const at = (offset: number, text: string) => [...text].every((ch, i) => bytes[offset + i] === ch.charCodeAt(0));
  if (bytes.length >= 12 && BOXES.some((b) => at(4, b))) return 'mp4';
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'matroska';
  if (bytes.length >= 12 && at(0, 'RIFF') && at(8, 'AVI ')) return 'avi';
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && bytes[3] === 0xba) return 'mpeg';
  if (bytes.length >= 3 * 188 && bytes[0] === 0x47 && bytes[188] === 0x47 && bytes[376] === 0x47) return 'mpegts';
  if (bytes.length >= 3 && at(0, 'FLV')) return 'flv';
  if (bytes.length >= 4 && at(0, 'OggS')) return 'ogg';
  if (bytes.length >= 16 && [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11].every((b, i) => bytes[i] === b)) return 'asf';
  return undefined;
}
