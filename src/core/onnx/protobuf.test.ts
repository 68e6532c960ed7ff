import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtoWriter, readFields, type ProtoField } from './protobuf.js';
import { encodeModel, type OnnxModel } from './proto.js';

const bytes = (w: ProtoWriter) => [...w.finish()];
const text = new TextDecoder();

test('varints are written as protobuf writes them', () => {
  assert.deepEqual(bytes(new ProtoWriter().varint(0)), [0]);
  assert.deepEqual(bytes(new ProtoWriter().varint(1)), [1]);
  assert.deepEqual(bytes(new ProtoWriter().varint(127)), [0x7f]);
  assert.deepEqual(bytes(new ProtoWriter().varint(128)), [0x80, 0x01]);
  assert.deepEqual(bytes(new ProtoWriter().varint(300)), [0xac, 0x02]);
  // int64 -1: ten bytes of two's complement
  assert.deepEqual(bytes(new ProtoWriter().varint(-1)), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.throws(() => new ProtoWriter().varint(1.5), RangeError);
});

test('fields carry their number and wire type: the protobuf encoding of a known message', () => {
  // message { int32 a = 1; string b = 2; } with a = 150, b = "testing" (the protobuf documentation's example)
  const w = new ProtoWriter().int(1, 150).string(2, 'testing');
  assert.deepEqual(bytes(w), [0x08, 0x96, 0x01, 0x12, 0x07, ...new TextEncoder().encode('testing')]);
  assert.deepEqual(bytes(new ProtoWriter().float(2, 1)), [0x15, 0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual(bytes(new ProtoWriter().packedInts(4, [3, 270])), [0x22, 0x03, 0x03, 0x8e, 0x02]);
});

test('what is written reads back field by field', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.record({ kind: fc.constant('int' as const), v: fc.maxSafeInteger() }), fc.record({ kind: fc.constant('str' as const), v: fc.string() })),
        { maxLength: 20 },
      ),
      (fields) => {
        const w = new ProtoWriter();
        fields.forEach((f, i) => (f.kind === 'int' ? w.int(i + 1, f.v) : w.string(i + 1, f.v)));
        const read = readFields(w.finish());
        assert.equal(read.length, fields.length);
        read.forEach((r, i) => {
          const f = fields[i];
          assert.equal(r.field, i + 1);
          if (f.kind === 'int') assert.equal(r.int, BigInt.asUintN(64, BigInt(f.v)));
          else assert.equal(text.decode(r.bytes), f.v);
        });
      },
    ),
  );
  // a message grows its buffer past the first allocation
  const big = new Uint8Array(100_000).map((_, i) => i % 251);
  const [r] = readFields(new ProtoWriter().bytes(3, big).finish());
  assert.deepEqual(r.bytes, big);
});

/** The fields of a message with a given number. */
const all = (fields: ProtoField[], n: number) => fields.filter((f) => f.field === n);
const one = (fields: ProtoField[], n: number) => {
  const f = all(fields, n);
  assert.equal(f.length, 1, `field ${n}`);
  return f[0];
};
const str = (f: ProtoField) => text.decode(f.bytes);

test('an ONNX model encodes as ModelProto: version, opset, graph, initializers and metadata_props', () => {
  const model: OnnxModel = {
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'ferkit',
    producerVersion: '0.1.0',
    graph: {
      name: 'g',
      nodes: [{ opType: 'Softmax', inputs: ['x'], outputs: ['y'], name: 'sm', attributes: { axis: { i: -1 } } }],
      initializers: [{ name: 'w', dims: [2], data: new Float32Array([1.5, -2]) }],
      inputs: [{ name: 'x', dims: ['batch', 7] }],
      outputs: [{ name: 'y', dims: ['batch', 7] }],
    },
    metadata: { labels: '["a","b"]', architecture: 'tiny' },
  };
  const m = readFields(encodeModel(model));
  assert.equal(one(m, 1).int, 8n);
  assert.equal(str(one(m, 2)), 'ferkit');
  const opset = readFields(one(m, 8).bytes!);
  assert.equal(one(opset, 2).int, 17n);
  const meta = Object.fromEntries(all(m, 14).map((e) => readFields(e.bytes!).map(str)));
  assert.deepEqual(meta, model.metadata);

  const g = readFields(one(m, 7).bytes!);
  assert.equal(str(one(g, 2)), 'g');
  const node = readFields(one(g, 1).bytes!);
  assert.deepEqual([str(one(node, 1)), str(one(node, 2)), str(one(node, 3)), str(one(node, 4))], ['x', 'y', 'sm', 'Softmax']);
  const attr = readFields(one(node, 5).bytes!);
  assert.equal(str(one(attr, 1)), 'axis');
  assert.equal(one(attr, 20).int, 2n, 'type INT');
  assert.equal(BigInt.asIntN(64, one(attr, 3).int!), -1n);

  const init = readFields(one(g, 5).bytes!);
  assert.equal(one(init, 2).int, 1n, 'FLOAT');
  assert.equal(str(one(init, 8)), 'w');
  const raw = one(init, 9).bytes!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  assert.deepEqual([view.getFloat32(0, true), view.getFloat32(4, true)], [1.5, -2]);

  // input x: TypeProto.tensor_type { elem_type FLOAT, shape { dim_param "batch", dim_value 7 } }
  const input = readFields(one(g, 11).bytes!);
  assert.equal(str(one(input, 1)), 'x');
  const tensorType = readFields(one(readFields(one(input, 2).bytes!), 1).bytes!);
  assert.equal(one(tensorType, 1).int, 1n);
  const dims = all(readFields(one(tensorType, 2).bytes!), 1).map((d) => readFields(d.bytes!)[0]);
  assert.equal(str(dims[0]), 'batch');
  assert.equal(dims[1].int, 7n);
});
