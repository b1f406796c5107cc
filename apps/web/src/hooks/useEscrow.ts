/**
 * The signed-in account's ComputeEscrow (compute protocol v2): the balance the node reports (`GET /orders/escrow`:
 * balance, pending withdrawal, what open orders reserve, what is available, the next nonce) plus the withdrawal's
 * unlock time and the governed delay read on-chain; deposits (through the node: sent for dev accounts, unsigned for
 * wallets) and the withdrawal calls (requested, completed after the delay, or cancelled), sent from this browser.
 */
import { computeEscrowAbi } from '@souk/contracts/abis';
import type { TransactionsReturnType } from '@souk/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { type Address, createWalletClient, encodeFunctionData, type Hex, http, zeroAddress } from 'viem';
import { useConfig } from 'wagmi';
import { getBlock, getPublicClient, readContract } from 'wagmi/actions';
import { devAccount } from '../lib/devAccounts.ts';
import type { Escrow } from '../lib/orders.ts';
import { nodeChain } from '../lib/wagmi.ts';
import { useNode } from './useNode.tsx';
import { useSession } from './useSession.tsx';
import { useTransactions } from './useTransactions.ts';

/** The escrow as shown: the node's figures (wei) and the chain's withdrawal facts. */
export type EscrowState = Escrow & {
  /** When the requested withdrawal unlocks, Unix seconds (0: none requested). */
  unlockAt: bigint;
  /** Seconds a withdrawal waits (`ComputeEscrow.withdrawalDelay`). */
  withdrawalDelay: bigint;
  /** The latest block's timestamp, Unix seconds (the clock `unlockAt` is compared with). */
  chainNow: bigint;
};

/** The ComputeEscrow calls the escrow panel sends itself (the node has no route for them). */
export type WithdrawalCall =
  | { functionName: 'requestWithdrawal'; amount: bigint }
  | { functionName: 'withdraw' }
  | { functionName: 'cancelWithdrawal' };

/**
 * @param currency - The escrow's currency. @default the zero address (native ETH)
 * @returns The escrow query (enabled once someone is selected), `deposit`, `call` and `refresh`.
 */
export function useEscrow(currency: Address = zeroAddress) {
  const { client, info } = useNode();
  const session = useSession();
  const config = useConfig();
  const queryClient = useQueryClient();
  const { settle, send } = useTransactions();
  const address = session.identity?.address;
  const escrowAddress = info.contracts.computeEscrow as Address | undefined;
  const key = ['escrow', address?.toLowerCase(), currency] as const;

  const query = useQuery({
    queryKey: key,
    enabled: address !== undefined && escrowAddress !== undefined,
    queryFn: async (): Promise<EscrowState> => {
      await session.ensureSignedIn();
      const [escrow, [, unlockAt], withdrawalDelay, block] = await Promise.all([
        client.json<Escrow>(`/api/v1/orders/escrow?currency=${currency}`),
        readContract(config, {
          address: escrowAddress as Address,
          abi: computeEscrowAbi,
          functionName: 'pendingWithdrawal',
          args: [currency, address as Address],
          chainId: info.chainId,
        }),
        readContract(config, {
          address: escrowAddress as Address,
          abi: computeEscrowAbi,
          functionName: 'withdrawalDelay',
          chainId: info.chainId,
        }),
        getBlock(config, { chainId: info.chainId }),
      ]);
      return { ...escrow, unlockAt, withdrawalDelay, chainNow: block.timestamp };
    },
  });

  const refresh = useCallback(() => queryClient.invalidateQueries({ queryKey: ['escrow'] }), [queryClient]);

  /**
   * Deposits `amount` wei into the escrow: the node sends it for a dev account, a wallet sends the unsigned
   * transaction itself. Resolves once mined.
   * @param onHash - Called with each transaction hash as soon as it is known.
   * @throws {SoukApiError} The node's refusal (e.g. 422, 503 without a ComputeEscrow); wallet and revert errors.
   */
  const deposit = useCallback(
    async (amount: bigint, onHash?: (hash: Hex) => void) => {
      await session.ensureSignedIn();
      const result = await client.json<TransactionsReturnType>('/api/v1/orders/escrow/deposit', {
        method: 'POST',
        body: { amountWei: String(amount), currency, mode: session.mode },
      });
      const settled = await settle(result, onHash);
      await refresh();
      return settled;
    },
    [client, currency, session, settle, refresh],
  );

  /**
   * Sends a withdrawal call from this browser: simulated first (a revert names its custom error, e.g.
   * `SoukWithdrawalLocked`), then sent by the wallet, or signed with the dev account's derived key (the devnet's
   * public mnemonic). Resolves once mined.
   * @throws The simulation's revert, the wallet's refusal, or a reverted receipt.
   */
  const call = useCallback(
    async (what: WithdrawalCall, onHash?: (hash: Hex) => void) => {
      const who = session.identity;
      if (!who || !escrowAddress) throw new Error('Choose an account first.');
      const args =
        what.functionName === 'requestWithdrawal'
          ? ([currency, what.amount] as const)
          : what.functionName === 'withdraw'
            ? ([currency, who.address] as const)
            : ([currency] as const);
      const publicClient = getPublicClient(config, { chainId: info.chainId });
      if (!publicClient) throw new Error(`No client for chain ${info.chainId}.`);
      const request = { address: escrowAddress, abi: computeEscrowAbi, functionName: what.functionName, args };
      await publicClient.simulateContract({ ...request, account: who.address } as never);
      if (who.kind === 'wallet') {
        const data = encodeFunctionData(request as never);
        const settled = await send([{ chainId: info.chainId, to: escrowAddress, data, value: '0' }], onHash);
        await refresh();
        return settled;
      }
      const wallet = createWalletClient({
        account: devAccount(who.index),
        chain: nodeChain(info),
        transport: http(info.rpcUrl),
      });
      const hash = await wallet.writeContract(request as never);
      onHash?.(hash);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`Transaction ${hash} reverted.`);
      await refresh();
      return { hashes: [hash], logs: receipt.logs };
    },
    [config, currency, escrowAddress, info, send, session.identity, refresh],
  );

  return { query, deposit, call, refresh, available: escrowAddress !== undefined };
}
