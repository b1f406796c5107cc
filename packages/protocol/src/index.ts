/**
 * `@souk/protocol`: the one home of Souk's wire contract. Node, provider, SDK, CLI and web import it; nothing in
 * them retypes an EIP-712 type, a bus message or a status code, nor re-implements a data format (tensors, `.npy`,
 * run-length masks) both the provider and the web app read.
 */
export * from './access.ts';
export type * from './api/analytics.ts';
export * from './api/assets.ts';
export * from './api/evaluations.ts';
export type * from './api/jsonSchema.ts';
export * from './api/licences.ts';
export * from './api/lineages.ts';
export * from './api/performance.ts';
export * from './api/rounds.ts';
export * from './api/royalties.ts';
export * from './batch.ts';
export * from './bus/errors.ts';
export * from './bus/messages.ts';
export * from './bus/subjects.ts';
export * from './compute.ts';
export * from './constants.ts';
export * from './datasetReference.ts';
export * from './evaluation.ts';
export * from './formats/errors.ts';
export * from './formats/npy.ts';
export * from './formats/runLengthMask.ts';
export * from './formats/tensor.ts';
export * from './jobFailure.ts';
export * from './lineage.ts';
export * from './mediaTypes.ts';
export * from './orders.ts';
export * from './rounds.ts';
export * from './tolerance.ts';
export * from './training.ts';
export * from './zk.ts';
