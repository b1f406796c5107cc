/**
 * What a provider advertises about its machine: CPU, memory, GPUs and usable ONNX Runtime execution providers.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { availableExecutionProviders, ortVersion } from './runtime/executionProviders.ts';
import type { ExecutionProvider } from './runtime/types.ts';

/** One GPU as `nvidia-smi` reports it. */
export type GpuInfo = {
  /** Product name, e.g. `NVIDIA GeForce RTX 4090`. */
  name: string;
  /** Total memory, in bytes. */
  memoryBytes: number;
};

/** The machine. */
export type HardwareInfo = {
  /** `process.platform`, e.g. `linux`. */
  platform: NodeJS.Platform;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
  cpu: {
    /** Model name of the first logical CPU. */
    model: string;
    /** Logical CPUs (`os.cpus().length`). */
    cores: number;
    /** CPUs this process may use (`os.availableParallelism()`, respects affinity). */
    availableParallelism: number;
    /** Nominal clock of the first CPU, in MHz (0 when unknown). */
    speedMHz: number;
  };
  memory: {
    /** Total RAM, in bytes. */
    totalBytes: number;
    /** Free RAM when detected, in bytes. */
    freeBytes: number;
  };
  /** NVIDIA GPUs; `[]` when `nvidia-smi` is absent or fails. */
  gpus: GpuInfo[];
  /** ONNX Runtime execution providers usable here, CPU first. */
  executionProviders: ExecutionProvider[];
  /** `onnxruntime-node` version. */
  ortVersion: string;
};

export type DetectHardwareParameters = {
  /** The `nvidia-smi` executable. @default 'nvidia-smi' */
  nvidiaSmi?: string | undefined;
  /** Most time `nvidia-smi` may take, in milliseconds. @default 5000 */
  timeoutMs?: number | undefined;
};

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader` output (`NAME, 24564 MiB` per line).
 * @param csv - The command's standard output.
 * @returns One entry per well-formed line.
 * @example
 * ```ts
 * import { parseNvidiaSmi } from '@souk/provider';
 * parseNvidiaSmi('NVIDIA A100-SXM4-40GB, 40960 MiB\n'); // [{ name: 'NVIDIA A100-SXM4-40GB', memoryBytes: 42949672960 }]
 * ```
 */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  const units: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };
  const gpus: GpuInfo[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const match = /^(.*),\s*(\d+(?:\.\d+)?)\s*([KMG]?i?B)\s*$/i.exec(line.trim());
    if (!match) continue;
    const unit = units[match[3].toLowerCase()] ?? units.mib;
    gpus.push({ name: match[1].trim(), memoryBytes: Math.round(Number(match[2]) * unit) });
  }
  return gpus;
}

/**
 * Lists NVIDIA GPUs with `nvidia-smi`.
 * @param parameters - Executable and timeout.
 * @returns The GPUs; `[]` when `nvidia-smi` is missing, fails or times out.
 */
export function detectGpus({
  nvidiaSmi = 'nvidia-smi',
  timeoutMs = 5000,
}: DetectHardwareParameters = {}): Promise<GpuInfo[]> {
  return new Promise((resolve) => {
    execFile(
      nvidiaSmi,
      ['--query-gpu=name,memory.total', '--format=csv,noheader'],
      { timeout: timeoutMs, windowsHide: true },
      (error, stdout) => resolve(error ? [] : parseNvidiaSmi(String(stdout))),
    );
  });
}

/**
 * Detects the machine's CPU, memory, GPUs and usable execution providers.
 * @param parameters - How to call `nvidia-smi`.
 * @returns The hardware description a provider registers.
 * @example
 * ```ts
 * import { detectHardware } from '@souk/provider';
 * const hw = await detectHardware();
 * console.log(hw.cpu.model, hw.cpu.cores, hw.memory.totalBytes, hw.gpus, hw.executionProviders);
 * ```
 */
export async function detectHardware(parameters: DetectHardwareParameters = {}): Promise<HardwareInfo> {
  const cpus = os.cpus();
  return {
    platform: process.platform,
    arch: process.arch,
    cpu: {
      model: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      availableParallelism: os.availableParallelism(),
      speedMHz: cpus[0]?.speed ?? 0,
    },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    gpus: await detectGpus(parameters),
    executionProviders: availableExecutionProviders(),
    ortVersion: ortVersion(),
  };
}
