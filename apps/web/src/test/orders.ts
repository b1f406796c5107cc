/** Order fixtures as `GET /api/v1/orders/{hash}` returns them, signed for real by a requester and its providers. */
import { hashJobOrder, jobOrderTypedData, resultAttestationTypedData } from '@souk/protocol';
import type { Order } from '@souk/sdk';
import { parseEther, sha256, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { buildJobOrder, bytesToBase64 } from '../lib/orders.ts';
import { info } from './render.tsx';

/** Dev account 4 (the requester in the page tests). */
export const requester = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a');
export const providers = [
  privateKeyToAccount('0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'),
  privateKeyToAccount('0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97'),
];
export const ocrOutput = {
  lines: [
    {
      text: 'TOTAL 12.50 EUR',
      score: 0.98,
      box: [
        [1, 2],
        [90, 2],
        [90, 20],
        [1, 20],
      ],
    },
  ],
};
const escrow = info.contracts.computeEscrow as `0x${string}`;

/**
 * An order in `phase`, with `signers` of `providers` attesting its result (all of them by default).
 * @param tamper - `result`: the result bytes do not match the hash; `signature`: one attestation is signed by a
 *   key other than its provider's.
 */
export async function orderAt(
  phase: Order['phase'],
  { signers = providers.length, tamper }: { signers?: number; tamper?: 'result' | 'signature' } = {},
): Promise<Order> {
  const { order, json } = buildJobOrder({
    requester: requester.address,
    modelId: 2n,
    modelVersion: 0,
    input: new TextEncoder().encode('image bytes'),
    currency: zeroAddress,
    maxPrice: parseEther('0.01'),
    redundancy: 2,
    now: 1_800_000_000n,
    deadlineSeconds: 300,
    nonce: 0n,
  });
  const orderHash = hashJobOrder(info.chainId, escrow, order);
  const result = new TextEncoder().encode(JSON.stringify(ocrOutput));
  const resultHash = sha256(result);
  const agreed = ['agreed', 'ready', 'settling', 'settled'].includes(phase);
  const attestations = agreed
    ? await Promise.all(
        providers.slice(0, signers).map(async (p, i) => ({
          provider: p.address,
          resultHash,
          signature: await (tamper === 'signature' && i === 1 ? requester : p).signTypedData(
            resultAttestationTypedData(info.chainId, escrow, orderHash, resultHash),
          ),
        })),
      )
    : [];
  return {
    orderHash,
    chainId: info.chainId,
    computeEscrow: escrow,
    order: json as Order['order'],
    requesterSignature: await requester.signTypedData(jobOrderTypedData(info.chainId, escrow, order)),
    phase,
    amount: '10000000000000000',
    resultHash: agreed ? resultHash : null,
    result: agreed ? bytesToBase64(tamper === 'result' ? new TextEncoder().encode('{"lines":[]}') : result) : null,
    output: agreed ? (tamper === 'result' ? { lines: [] } : ocrOutput) : null,
    attestations,
    providers: providers.map((p) => ({ address: p.address, received: true, committed: agreed, revealed: agreed })),
    audit: 'skipped',
    resolvedBy: 'agreement',
    settleTx: phase === 'settled' ? `0x${'5e'.repeat(32)}` : null,
    reason: phase === 'failed' ? 'The model cannot decode this image (invalid-input).' : null,
  };
}
