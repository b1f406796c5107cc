/**
 * Which ONNX Runtime execution providers this machine can use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';
import type { ExecutionProvider } from './types.ts';

const require = createRequire(import.meta.url);

/**
 * Whether the CUDA execution provider can be used: the `onnxruntime-node` binary lists it, its provider library
 * (`libonnxruntime_providers_cuda.so`, downloaded only by onnxruntime-node's optional CUDA install) is present, and an
 * NVIDIA GPU is present (`/dev/nvidia0` or `/proc/driver/nvidia`). Cheap: no session is created.
 * @returns `{ available: true }`, or `{ available: false, reason }` saying what is missing.
 * @example
 * ```ts
 * import { cudaAvailability } from '@souk/provider';
 * const { available, reason } = cudaAvailability();
 * ```
 */
export function cudaAvailability(): { available: boolean; reason?: string | undefined } {
  if (process.platform !== 'linux' && process.platform !== 'win32') {
    return { available: false, reason: `no CUDA build of onnxruntime-node for ${process.platform}` };
  }
  const listed = listSupportedBackends().some((b) => b.name === 'cuda');
  if (!listed) return { available: false, reason: 'onnxruntime-node was built without the CUDA execution provider' };
  const binDir = join(
    dirname(require.resolve('onnxruntime-node')),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (!existsSync(join(binDir, lib))) {
    return { available: false, reason: `the CUDA provider library ${lib} is not installed next to onnxruntime-node` };
  }
  if (process.platform === 'linux' && !existsSync('/dev/nvidia0') && !existsSync('/proc/driver/nvidia')) {
    return { available: false, reason: 'no NVIDIA GPU or driver found' };
  }
  return { available: true };
}

/**
 * Execution providers usable on this machine, CPU first.
 * @returns `['cpu']`, plus `'cuda'` when {@link cudaAvailability} says so.
 * @example
 * ```ts
 * import { availableExecutionProviders } from '@souk/provider';
 * availableExecutionProviders(); // ['cpu']
 * ```
 */
export function availableExecutionProviders(): ExecutionProvider[] {
  return cudaAvailability().available ? ['cpu', 'cuda'] : ['cpu'];
}

/**
 * The `onnxruntime-node` version in use.
 * @returns E.g. `1.30.0`.
 */
export function ortVersion(): string {
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}
