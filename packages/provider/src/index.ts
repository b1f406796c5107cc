/**
 * `@souk/provider`: the execution core of a Souk compute provider — hardware detection, ONNX Runtime sessions on a
 * worker thread with pinned options, the generic ONNX, OCR and VAD pipelines, and the canonical result hash.
 */

/** Moved to `@souk/protocol`; re-exported only until the node's coordinators import them from there. */
export type { HeartbeatMessage, ProviderBus, ProviderBusMessage } from '@souk/protocol';
/** Moved to `@souk/protocol`; re-exported only until the node's `routes/orders/index.ts` imports it from there. */
export { JOB_ACCESS_HEADER } from '@souk/protocol';
export {
  type CreateProviderAgentParameters,
  createProviderAgent,
  type ProviderAgent,
  type ProviderAgentStatus,
} from './agent/createProviderAgent.ts';
export {
  InvalidInputError,
  JobCancelledError,
  JobDeadlineError,
  JobFailedError,
  NodeRequestError,
  ProviderError,
  RuntimeClosedError,
} from './errors.ts';
export {
  type DetectHardwareParameters,
  detectGpus,
  detectHardware,
  type GpuInfo,
  type HardwareInfo,
  parseNvidiaSmi,
} from './hardware.ts';
export { type BundleFiles, isTar, packBundle, unpackBundle } from './jobs/bundle.ts';
export {
  type CheckJobInputParameters,
  checkJobInput,
  type ModelInputSpec,
  type ModelSignature,
  NON_TENSOR_DTYPE,
  readModelInputs,
  readModelSignature,
} from './jobs/checkInput.ts';
export {
  createJobExecutor,
  type ExecutedJob,
  type ExecuteParameters,
  type JobExecutor,
  supportedPipelines,
} from './jobs/execute.ts';
export { classifyJobFailure, type JobFailureClass } from './jobs/failure.ts';
export { signJobAccess } from './jobs/jobAccess.ts';
export { type CtcDecoded, ctcGreedyDecode } from './pipelines/ctc.ts';
export { type DbPostprocessOptions, type DetectedBox, dbPostprocess } from './pipelines/dbPostprocess.ts';
export { decodeImage, type Point, type RgbImage } from './pipelines/image.ts';
export {
  type CreateIsnetPipelineParameters,
  createIsnetPipeline,
  decodeRunLengthMask,
  ISNET_INPUT_SIZE,
  ISNET_PIPELINE_VERSION,
  type IsnetInput,
  type IsnetOutput,
  type IsnetPipeline,
  isnetInput,
  isnetMask,
  type RunLengthMask,
} from './pipelines/isnet.ts';
export { type ImglyModelVariant, readImglyModel, resizeIsnetGraph } from './pipelines/isnetModel.ts';
export { type FileSource, loadModel } from './pipelines/modelSource.ts';
export { isNpy, parseNpy, writeNpy } from './pipelines/npy.ts';
export { isZip, MAX_NPZ_BYTES, parseNpz, writeNpz } from './pipelines/npz.ts';
export {
  type CreateOcrPipelineParameters,
  createOcrPipeline,
  OCR_PIPELINE_VERSION,
  type OcrInput,
  type OcrLine,
  type OcrOutput,
  type OcrPipeline,
} from './pipelines/ocr.ts';
export {
  type CreateOnnxPipelineParameters,
  createOnnxPipeline,
  type DecodeOnnxInputOptions,
  decodeOnnxInput,
  ONNX_PIPELINE_VERSION,
  type OnnxInput,
  type OnnxOutput,
  type OnnxPipeline,
} from './pipelines/onnx.ts';
export { NON_TENSOR_REASON } from './pipelines/ortTensor.ts';
export {
  DTYPE_BYTES,
  type FixedDtype,
  float16ToNumber,
  isTensorDtype,
  type JsonTensor,
  type Tensor,
  type TensorData,
  type TensorDataMap,
  type TensorDtype,
  tensorElement,
  tensorFromBytes,
  tensorFromJson,
  tensorToBytesLE,
  UNSUPPORTED_DTYPES,
} from './pipelines/tensor.ts';
export {
  decodeTensorResult,
  formatTensorSummary,
  summarizeTensor,
  type TensorSummary,
} from './pipelines/tensorOutput.ts';
export {
  createTrainPipeline,
  isTrainOutput,
  parseTrainingRecipe,
  TRAIN_MAX_INPUT_BYTES,
  TRAIN_PIPELINE_VERSION,
  type TrainingRecipe,
  type TrainOutput,
  type TrainPipeline,
} from './pipelines/train.ts';
export {
  type CreateVadPipelineParameters,
  checkAudioInput,
  createVadPipeline,
  decodeSpeechAudio,
  type SampleSegment,
  type SpeechSegmentOptions,
  speechSegments,
  VAD_PIPELINE_VERSION,
  VAD_SAMPLE_RATE,
  type VadInput,
  type VadOutput,
  type VadPipeline,
  type VadSegment,
  vadProbabilities,
} from './pipelines/vad.ts';
export {
  type CreateWakewordPipelineParameters,
  canonicalWakeword,
  createWakewordPipeline,
  keywordFiles,
  WAKEWORD_PIPELINE_VERSION,
  WAKEWORD_THRESHOLD,
  type WakewordDetection,
  type WakewordInput,
  type WakewordKeyword,
  type WakewordOutput,
  type WakewordPipeline,
  wakewordAudio,
  wakewordDetections,
  wakewordScores,
} from './pipelines/wakeword.ts';
export {
  canonicalJson,
  canonicalResult,
  canonicalValue,
  type JsonValue,
  type PipelineOutput,
  resultHash,
  roundConfidence,
} from './result.ts';
export {
  type CreateRuntimeParameters,
  createRuntime,
  type RunOptions,
  type RunResult,
  type Runtime,
} from './runtime/createRuntime.ts';
export { availableExecutionProviders, cudaAvailability, ortVersion } from './runtime/executionProviders.ts';
export type { ExecutionProvider, Job, ModelRef, PipelineName, RuntimeRecord } from './runtime/types.ts';
