import type { SoukClient } from '../../clients/createSoukClient.ts';
import type { SoukApiError, SoukError } from '../../errors/base.ts';

export type EstimateGasParameters = {
  /** Called contract or recipient. */
  to: string;
  /** Calldata, 0x-prefixed hex (at most 128 KiB). */
  data?: string | undefined;
  /** Value sent, wei. */
  value?: bigint | undefined;
  /** Sender; matters for calls that check `msg.sender`. */
  from?: string | undefined;
};
export type EstimateGasReturnType = {
  /** Gas units, decimal string. */
  gas: string;
  /** Current gas price, wei as a decimal string. */
  gasPriceWei: string;
  /** `gas × gasPriceWei`, wei as a decimal string. */
  costWei: string;
};
export type EstimateGasErrorType = SoukApiError | SoukError;

/**
 * Estimates gas and cost of a call on the node's chain (`POST /api/v1/chain/gas-estimate`), e.g. for an unsigned
 * transaction the API returned.
 * @param client - A Souk client.
 * @param parameters - {@link EstimateGasParameters}
 * @returns Gas units, gas price and cost.
 * @throws {SoukApiError} 400 on malformed input, 422 (`SOUK_ERR_CHAIN_REVERT`) when the call would revert.
 * @throws {SoukError} when the node cannot be reached.
 * @example
 * ```ts
 * import { createSoukClient, estimateGas } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const [tx] = (await purchaseLicence(client, { assetId: 1n, mode: 'unsigned' })).transactions ?? []
 * const { gas, costWei } = await estimateGas(client, { to: tx.to, data: tx.data, value: BigInt(tx.value), from })
 * ```
 */
export function estimateGas(
  client: SoukClient,
  { to, data, value, from }: EstimateGasParameters,
): Promise<EstimateGasReturnType> {
  return client.json('/api/v1/chain/gas-estimate', {
    method: 'POST',
    body: {
      to,
      ...(data !== undefined ? { data } : {}),
      ...(value !== undefined ? { value: String(value) } : {}),
      ...(from !== undefined ? { from } : {}),
    },
  });
}
