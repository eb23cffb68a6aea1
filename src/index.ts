// The public API of webgpu-mlp. Everything a user imports comes from here.
/// <reference types="@webgpu/types" preserve="true" />
// (the public types name GPUDevice and GPUBuffer: an app's TypeScript gets them even without the DOM lib)

export type { BackendKind, BackendStats } from './backends/backend.js';
export {
  type GradientCheck,
  type GradientCheckOptions,
  gradientCheck,
} from './backends/cpu/gradient-check.js';
// Data: data sets, CMU faces (bytes and File objects; Node folders come through the CLI), synthetic faces,
// CSV and normalisation. Browser-safe: nothing here touches node:fs.
export { pickedFaceFiles } from './data/browser-files.js';
export { type CsvDataset, type CsvOptions, parseCsv } from './data/csv.js';
export {
  type Dataset,
  encodeTargets,
  type Splits,
  splitDataset,
  subset,
  type TargetEncoding,
  targetEncodings,
} from './data/dataset.js';
export {
  cmuPeople,
  decodeFace,
  expressions,
  eyeStates,
  type FaceDatasetOptions,
  type FaceFiles,
  type FaceName,
  type FacePicture,
  type FaceTask,
  faceClassNames,
  faceDataset,
  faceTasks,
  type LoadedFaces,
  type LoadFacesOptions,
  loadFaces,
  type PixelScale,
  parseFaceName,
  parseList,
  pixelScales,
  poses,
} from './data/faces.js';
export {
  applyNormalization,
  fitNormalization,
  type Normalization,
  type NormalizationKind,
  normalizationKinds,
} from './data/normalize.js';
export { type PgmImage, parsePgm } from './data/pgm.js';
export {
  type SyntheticDatasetOptions,
  type SyntheticFacesOptions,
  syntheticFacePictures,
  syntheticFaceSplits,
  syntheticFaces,
  syntheticHeight,
  syntheticPeople,
  syntheticWidth,
} from './data/synthetic-faces.js';
export { createEngine, Engine, type EngineOptions } from './engine.js';
export { MlpError, type MlpErrorCode } from './errors.js';
export { type ModelContents, modelFormat, type SavedModel } from './io/model-file.js';
export { toOnnx } from './io/onnx-export.js';
export { type TfjsExport, type TfjsModelJson, toTfjsLayers } from './io/tfjs-export.js';
export type { GpuData, LayerParameterBuffer, ParameterBuffers } from './model/gpu-data.js';
export type { Numbers } from './model/numbers.js';
export type { OptimizerOptions } from './model/optimizer.js';
export type {
  Activation,
  InitSpec,
  LayerParams,
  LayerSpec,
  Loss,
  NetworkSpec,
} from './model/spec.js';
export { activations, leakyReluSlope, losses } from './model/spec.js';
export { flipHiddenUnit, permuteHiddenUnits } from './model/symmetries.js';
export { type Evaluation, Network } from './network.js';
export type { FitHistory } from './train/fit.js';
export type {
  BatchRecord,
  EpochRecord,
  FitData,
  FitOptions,
  LearningRateSchedule,
  TrainingData,
} from './train/options.js';
export type { ProgressEvent } from './train/progress.js';
