/**
 * `@souk/provider/training`: the training engine (docs/training.md). A subpath of its own, so that importing
 * `@souk/provider` does not load TensorFlow.js.
 */
export { type LabelledDataset, readLabelledDataset, writeLabelledDataset } from './dataset.ts';
export { type ClassificationMetrics, classificationMetrics } from './metrics.ts';
export { CLASSIFIER_INPUT, CLASSIFIER_OUTPUT, type DenseLayer, exportMlpToOnnx } from './onnxExport.ts';
export {
  checkTrainingRequest,
  type MlpTemplate,
  TRAINING_LIMITS,
  type TrainingHyperparameters,
  type TrainingTemplate,
} from './templates.ts';
export {
  predictClasses,
  type TrainClassifierParameters,
  type TrainedClassifier,
  trainClassifier,
  weightsHash,
} from './train.ts';
