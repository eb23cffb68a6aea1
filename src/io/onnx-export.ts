// Export to ONNX: a ModelProto (IR version 7, opset 13) with one Gemm per layer and its activation node.
// Gemm computes Y = X·Wᵀ + b with transB = 1, so our units × inputs weights go in unchanged.
// Input "input" is [batch, inputSize], output "output" is [batch, outputs]; batch is a symbolic dimension.
//
// The protobuf is written by the small writer below rather than a generated library (no runtime
// dependency): each message is a list of fields, each field number and wire type as in onnx/onnx.proto.

import type { Activation, LayerParams } from '../model/spec.js';
import { leakyReluSlope } from '../model/spec.js';
import type { ValidatedSpec } from '../model/validate.js';

/** Protobuf wire encoding: varint (type 0), 32-bit (type 5) and length-delimited (type 2) fields. */
class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** int32, int64 and enum fields (non-negative values only, which is all ONNX needs here) */
  int(field: number, value: number): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    this.bytes.push(...new Uint8Array(view.buffer));
    return this;
  }

  raw(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(value.length);
    for (const byte of value) this.bytes.push(byte);
    return this;
  }

  string(field: number, value: string): this {
    return this.raw(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

// onnx.proto field numbers and enum values used here.
const tensorFloat = 1;
const attributeFloat = 1;
const attributeInt = 2;

const onnxActivation: Record<Exclude<Activation, 'linear'>, string> = {
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  'leaky-relu': 'LeakyRelu',
  softmax: 'Softmax',
};

function float32Bytes(values: Float32Array): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((value, k) => {
    view.setFloat32(k * 4, value, true);
  });
  return new Uint8Array(view.buffer);
}

/** ValueInfoProto of a float tensor [batch, size]. */
function valueInfo(writer: ProtoWriter, name: string, size: number): void {
  writer.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, tensorFloat).message(2, (shape) => {
        shape.message(1, (dim) => dim.string(2, 'batch'));
        shape.message(1, (dim) => dim.int(1, size));
      }),
    ),
  );
}

/** The bytes of an .onnx file for a network with `params` (see Network.getWeights for their layout). */
export function toOnnx(spec: ValidatedSpec, params: LayerParams[], producerVersion = '0.1.0'): Uint8Array {
  const model = new ProtoWriter();
  model.int(1, 7); // ir_version
  model.string(2, 'webgpu-mlp').string(3, producerVersion);
  model.message(7, (graph) => {
    let inputs = spec.inputSize;
    let current = 'input';
    const last = spec.layers.length - 1;
    spec.layers.forEach(({ units, activation }, l) => {
      const [weights, biases] = [`layer${l}.weights`, `layer${l}.biases`];
      const linear = activation === 'linear';
      const gemmOut = linear && l === last ? 'output' : `layer${l}.z`;
      graph.message(1, (node) => {
        node.string(1, current).string(1, weights).string(1, biases).string(2, gemmOut);
        node.string(3, `layer${l}.gemm`).string(4, 'Gemm');
        node.message(5, (attribute) => attribute.string(1, 'transB').int(3, 1).int(20, attributeInt));
      });
      current = gemmOut;
      if (!linear) {
        const out = l === last ? 'output' : `layer${l}.o`;
        graph.message(1, (node) => {
          node
            .string(1, current)
            .string(2, out)
            .string(3, `layer${l}.${activation}`)
            .string(4, onnxActivation[activation]);
          if (activation === 'leaky-relu') {
            node.message(5, (attribute) =>
              attribute.string(1, 'alpha').float(2, leakyReluSlope).int(20, attributeFloat),
            );
          }
          if (activation === 'softmax') {
            node.message(5, (attribute) => attribute.string(1, 'axis').int(3, 1).int(20, attributeInt));
          }
        });
        current = out;
      }
      graph.message(5, (tensor) =>
        tensor
          .int(1, units)
          .int(1, inputs)
          .int(2, tensorFloat)
          .string(8, weights)
          .raw(9, float32Bytes(params[l].weights)),
      );
      graph.message(5, (tensor) =>
        tensor.int(1, units).int(2, tensorFloat).string(8, biases).raw(9, float32Bytes(params[l].biases)),
      );
      inputs = units;
    });
    graph.string(2, 'webgpu-mlp');
    graph.message(11, (input) => valueInfo(input, 'input', spec.inputSize));
    graph.message(12, (output) => valueInfo(output, 'output', inputs));
  });
  model.message(8, (opset) => opset.string(1, '').int(2, 13));
  return model.finish();
}
