import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectGpus, detectHardware, parseNvidiaSmi } from './hardware.ts';

describe('hardware', () => {
  test('detects the CPU, memory and the CPU execution provider', async () => {
    const hw = await detectHardware({ nvidiaSmi: '/nonexistent/nvidia-smi' });
    assert.ok(hw.cpu.cores >= 1 && hw.cpu.availableParallelism >= 1);
    assert.ok(hw.cpu.model.length > 0);
    assert.ok(hw.memory.totalBytes > 0 && hw.memory.freeBytes > 0);
    assert.deepEqual(hw.gpus, []);
    assert.equal(hw.executionProviders[0], 'cpu');
    assert.match(hw.ortVersion, /^\d+\.\d+\.\d+/);
  });

  test('returns no GPUs when nvidia-smi is absent or fails', async () => {
    assert.deepEqual(await detectGpus({ nvidiaSmi: '/nonexistent/nvidia-smi' }), []);
    assert.deepEqual(await detectGpus({ nvidiaSmi: 'false' }), []);
  });

  test('parses nvidia-smi CSV output', () => {
    assert.deepEqual(
      parseNvidiaSmi('NVIDIA GeForce RTX 4090, 24564 MiB\nNVIDIA A100-SXM4-80GB, 81920 MiB\n\ngarbage\n'),
      [
        { name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24564 * 2 ** 20 },
        { name: 'NVIDIA A100-SXM4-80GB', memoryBytes: 81920 * 2 ** 20 },
      ],
    );
  });
});
