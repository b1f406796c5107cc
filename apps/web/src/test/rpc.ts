/**
 * A fake chain for component tests: `fetch` to the node's RPC URL (`info.rpcUrl`) answered from JSON-RPC handlers —
 * `eth_call` decoded with the ComputeEscrow ABI and the ProviderRegistry's `isActive`, the latest block, the chain
 * id. Other URLs go to the real `fetch` (the SDK client of `fakeNode` brings its own).
 */
import { computeEscrowAbi } from '@souk/contracts/abis';
import { providerActiveAbi } from '@souk/protocol';
import { type Address, decodeFunctionData, encodeFunctionResult, type Hex, numberToHex } from 'viem';
import { vi } from 'vitest';
import { info } from './render.tsx';

export type FakeChain = {
  /** `ProviderRegistry.isActive(provider)`. @default every provider is active */
  isActive?: (provider: Address) => boolean;
  /** The latest block's timestamp, Unix seconds. */
  now?: bigint;
  /** `ComputeEscrow.pendingWithdrawal` → [amount, unlockAt]. */
  pendingWithdrawal?: readonly [bigint, bigint];
  /** `ComputeEscrow.withdrawalDelay`, seconds. */
  withdrawalDelay?: bigint;
};

/** Stubs `fetch` for the RPC URL; returns the JSON-RPC methods asked for. Undone by `vi.unstubAllGlobals()`. */
export function stubChain(chain: FakeChain = {}): { methods: string[] } {
  const methods: string[] = [];
  const real = globalThis.fetch;
  const answer = (method: string, params: unknown[]): unknown => {
    methods.push(method);
    switch (method) {
      case 'eth_chainId':
        return numberToHex(info.chainId);
      case 'eth_blockNumber':
        return '0x64';
      case 'eth_getBlockByNumber':
        return {
          number: '0x64',
          hash: `0x${'ab'.repeat(32)}`,
          parentHash: `0x${'cd'.repeat(32)}`,
          timestamp: numberToHex(chain.now ?? 1_800_000_000n),
          transactions: [],
          gasLimit: '0x1c9c380',
          gasUsed: '0x0',
          baseFeePerGas: '0x1',
          logsBloom: `0x${'00'.repeat(256)}`,
          difficulty: '0x0',
          extraData: '0x',
          miner: '0x0000000000000000000000000000000000000000',
          nonce: '0x0000000000000000',
          size: '0x0',
          uncles: [],
        };
      case 'eth_call': {
        const { to, data } = params[0] as { to: Address; data: Hex };
        if (to.toLowerCase() === info.contracts.providerRegistry.toLowerCase()) {
          const { args } = decodeFunctionData({ abi: providerActiveAbi, data });
          const active = chain.isActive ? chain.isActive(args[0]) : true;
          return encodeFunctionResult({ abi: providerActiveAbi, functionName: 'isActive', result: active });
        }
        const { functionName } = decodeFunctionData({ abi: computeEscrowAbi, data });
        if (functionName === 'pendingWithdrawal') {
          return encodeFunctionResult({
            abi: computeEscrowAbi,
            functionName,
            result: chain.pendingWithdrawal ?? [0n, 0n],
          });
        }
        if (functionName === 'withdrawalDelay') {
          return encodeFunctionResult({ abi: computeEscrowAbi, functionName, result: chain.withdrawalDelay ?? 3600n });
        }
        throw new Error(`fake chain: no answer for ${functionName}`);
      }
      default:
        throw new Error(`fake chain: no answer for ${method}`);
    }
  };
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(info.rpcUrl)) return real(input, init);
    const body = JSON.parse(String(init.body));
    const one = (request: { id: number; method: string; params?: unknown[] }) => {
      try {
        return { jsonrpc: '2.0', id: request.id, result: answer(request.method, request.params ?? []) };
      } catch (error) {
        return { jsonrpc: '2.0', id: request.id, error: { code: -32603, message: (error as Error).message } };
      }
    };
    const payload = Array.isArray(body) ? body.map(one) : one(body);
    return new Response(JSON.stringify(payload), { headers: { 'content-type': 'application/json' } });
  });
  return { methods };
}
