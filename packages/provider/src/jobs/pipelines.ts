/**
 * The names of the pipelines a provider runs, without loading them (their modules load ONNX Runtime and image
 * libraries): for tools that only check a name, such as `souk publish`. `execute.ts` implements exactly these.
 */

/** The pipeline names, as a tuple type. */
const names = ['isnet', 'ocr', 'onnx', 'train', 'vad', 'wakeword', 'zk'] as const;

/** One of {@link supportedPipelines}. */
export type PipelineName = (typeof names)[number];

/** Pipeline names this provider can run (advertised in heartbeats), in alphabetical order. */
export const supportedPipelines: readonly string[] = names;
