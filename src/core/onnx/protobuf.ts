/**
 * A minimal Protocol Buffers writer: varints, length-delimited fields and
 * packed repeated numbers, enough to write ONNX models. Platform-neutral.
 * Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit.
 */

const utf8 = new TextEncoder();

/** Byte fields at least this long are kept by reference rather than copied (weights). */
const BY_REFERENCE = 1024;

/**
 * Appends protobuf fields; `finish()` returns the bytes written. Small
 * fields go to a scratch buffer; large byte fields and embedded messages
 * are kept as chunks and copied once, by `finish()`, so a model's weights
 * are not copied at every level of nesting.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private view = new DataView(this.scratch.buffer);
  private pos = 0;
  /** Bytes in `chunks`. */
  private chunked = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.chunked + this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flush();
    if (n > this.scratch.length) {
      this.scratch = new Uint8Array(Math.max(n, 2 * this.scratch.length));
      this.view = new DataView(this.scratch.buffer);
    }
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.scratch.slice(0, this.pos));
    this.chunked += this.pos;
    this.pos = 0;
  }

  private append(chunk: Uint8Array): void {
    this.flush();
    this.chunks.push(chunk);
    this.chunked += chunk.length;
  }

  /** An unsigned varint; negative numbers are written as 64-bit two's complement (ten bytes), as protobuf's int64 requires. */
  varint(value: number | bigint): this {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    this.reserve(10);
    if (typeof value === 'number' && value >= 0 && value < 2 ** 31) {
      let v = value;
      while (v >= 0x80) {
        this.scratch[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.scratch[this.pos++] = v;
      return this;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.pos++] = Number(v);
    return this;
  }

  private tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint(field * 8 + wireType);
  }

  /** int32, int64, enum or bool field. */
  int(field: number, value: number | bigint | boolean): this {
    return this.tag(field, 0).varint(typeof value === 'boolean' ? Number(value) : value);
  }

  /** float field (fixed 32-bit, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    this.reserve(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  /** bytes field. A long value is kept by reference until `finish()`: do not change it before. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length);
    if (value.length >= BY_REFERENCE) return (this.append(value), this);
    this.reserve(value.length);
    this.scratch.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** Embedded message field, written by `write` into a writer of its own. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    this.tag(field, 2).varint(inner.length);
    inner.flush();
    for (const c of inner.chunks) this.append(c);
    return this;
  }

  /** Packed repeated int32/int64 field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytes(field, data);
  }

  /** The bytes written, in one array. */
  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.chunked);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/** One field as read back by `readFields`. */
export interface ProtoField {
  field: number;
  wireType: number;
  /** The varint of wire type 0. */
  int?: bigint;
  /** The payload of wire types 1, 2 and 5. */
  bytes?: Uint8Array;
}

/**
 * The fields of one message, in order, without interpreting them: a reader
 * for tests and for checking files ferkit wrote. Throws RangeError on
 * truncated input.
 */
export function readFields(data: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= data.length) throw new RangeError('truncated varint');
      const b = data[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > data.length) throw new RangeError('truncated field');
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  while (pos < data.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) out.push({ field, wireType, int: varint() });
    else if (wireType === 1) out.push({ field, wireType, bytes: take(8) });
    else if (wireType === 2) out.push({ field, wireType, bytes: take(Number(varint())) });
    else if (wireType === 5) out.push({ field, wireType, bytes: take(4) });
    else throw new RangeError(`unsupported wire type ${wireType}`);
  }
  return out;
}
