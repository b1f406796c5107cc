/**
 * A verified result as people read it, by its shape (docs/provider.md, "Canonical results"): OCR lines drawn as boxes
 * over the input image, an IS-Net mask tinted over it, VAD speech segments or wake-word detections on a timeline
 * under the recording's player, output tensors summarised with a `.npy` download, a trained model with its loss curve
 * and a `model.onnx` download, anything else as collapsible JSON.
 * The input (image or recording) is shown when this browser still has it.
 */
import { isTrainOutput } from '@souk/protocol';
import { isIsnetOutput } from '../lib/mask.ts';
import { isOcrOutput } from '../lib/ocr.ts';
import { isTensorOutput } from '../lib/tensors.ts';
import { isVadOutput, isWakewordOutput } from '../lib/timeline.ts';
import { VadTimeline, WakewordTimeline } from './AudioTimeline.tsx';
import { JsonView } from './JsonView.tsx';
import { MaskOverlay } from './MaskOverlay.tsx';
import { OcrOverlay } from './OcrOverlay.tsx';
import { TensorOutput } from './TensorOutput.tsx';
import { TrainingResult } from './TrainingResult.tsx';

/**
 * @param output - The result's JSON.
 * @param input - A URL of the order's input (image or audio) when this browser kept it, else `null`.
 * @param alt - Alternative text for an input image.
 */
export function ResultOutput({ output, input, alt }: { output: unknown; input: string | null; alt: string }) {
  if (isOcrOutput(output)) return <OcrOverlay src={input} lines={output.lines} alt={alt} />;
  if (isIsnetOutput(output)) return <MaskOverlay output={output} image={input} alt={alt} />;
  if (isVadOutput(output)) return <VadTimeline output={output} audio={input} />;
  if (isWakewordOutput(output)) return <WakewordTimeline output={output} audio={input} />;
  if (isTensorOutput(output)) return <TensorOutput tensors={output.tensors} />;
  if (isTrainOutput(output)) return <TrainingResult output={output} />;
  return <JsonView value={output} />;
}
