// Export to the TensorFlow.js Layers format: model.json (a Keras-style Sequential topology plus a weights
// manifest) and weights.bin (little-endian float32). Load it with
//   tf.loadLayersModel('path/to/model.json')                      // browser or tfjs-node, from files
//   tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }))   // from memory
//
// Each of our layers is a Dense layer. Keras stores a Dense kernel as inputs × units (kernel[i][j] = w_ji),
// the transpose of our units × inputs, so the weights are transposed here. TF.js has no leaky-relu
// activation on Dense: such a layer becomes Dense (linear) followed by LeakyReLU with our slope.

import type { Activation, LayerParams } from '../model/spec.js';
import { leakyReluSlope } from '../model/spec.js';
import type { ValidatedSpec } from '../model/validate.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: {
    class_name: 'Sequential';
    config: { name: string; layers: object[] };
    keras_version: string;
    backend: string;
  };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

export interface TfjsExport {
  /** write as model.json */
  modelJson: TfjsModelJson;
  /** write as weights.bin, next to model.json */
  weightsBin: Uint8Array;
}

const tfjsActivation: Record<Exclude<Activation, 'leaky-relu'>, string> = {
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  linear: 'linear',
  softmax: 'softmax',
};

/** The TF.js Layers files for a network with `params` (see Network.getWeights for their layout). */
export function toTfjsLayers(
  spec: ValidatedSpec,
  params: LayerParams[],
  weightsPath = 'weights.bin',
): TfjsExport {
  const layers: object[] = [];
  const weightSpecs: TfjsWeightSpec[] = [];
  const values: number[][] = [];
  let inputs = spec.inputSize;
  spec.layers.forEach(({ units, activation }, l) => {
    const name = `dense_${l + 1}`;
    layers.push({
      class_name: 'Dense',
      config: {
        name,
        units,
        activation: activation === 'leaky-relu' ? 'linear' : tfjsActivation[activation],
        use_bias: true,
        trainable: true,
        dtype: 'float32',
        ...(l === 0 ? { batch_input_shape: [null, inputs] } : {}),
      },
    });
    if (activation === 'leaky-relu') {
      layers.push({
        class_name: 'LeakyReLU',
        config: { name: `leaky_re_lu_${l + 1}`, alpha: leakyReluSlope, trainable: true, dtype: 'float32' },
      });
    }
    const { weights, biases } = params[l];
    const kernel = new Array<number>(inputs * units);
    for (let j = 0; j < units; j++)
      for (let i = 0; i < inputs; i++) kernel[i * units + j] = weights[j * inputs + i];
    weightSpecs.push({ name: `${name}/kernel`, shape: [inputs, units], dtype: 'float32' });
    weightSpecs.push({ name: `${name}/bias`, shape: [units], dtype: 'float32' });
    values.push(kernel, Array.from(biases));
    inputs = units;
  });
  const flat = values.flat();
  const view = new DataView(new ArrayBuffer(flat.length * 4));
  flat.forEach((value, k) => {
    view.setFloat32(k * 4, value, true);
  });
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'webgpu-mlp',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'sequential', layers },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [weightsPath], weights: weightSpecs }],
    },
    weightsBin: new Uint8Array(view.buffer),
  };
}
