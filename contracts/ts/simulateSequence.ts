/**
 * Simulating a sequence of transactions as a whole before the first is sent: an ERC-20 payment is `approve` and
 * then the paying call, and `approve` succeeds for any address, so simulating only the next call to send lets a
 * request whose second call reverts write its first. Browser-safe (viem only): the node and the CLI share it.
 */
import { type Address, BaseError, type Client, type Hex, RpcError, RpcRequestError } from 'viem';
import { call, simulateCalls } from 'viem/actions';

/** One call of a sequence, as it will be sent. */
export type SequenceCall = {
  /** The contract (or account) called. */
  to: Address;
  /** Calldata. */
  data: Hex;
  /** Native value, wei. */
  value?: bigint | undefined;
};

/** Parameters of {@link simulateSequence}. */
export type SimulateSequenceParameters = {
  /** The sender of every call (`msg.sender`). */
  account: Address;
  /** The calls, in the order they will be sent. */
  calls: readonly SequenceCall[];
};

/**
 * How far the sequence could be simulated before anything is sent:
 * - `'sequence'`: every call, in order, each on the state the earlier ones leave (`eth_simulateV1`, or a single
 *   call's `eth_call`);
 * - `'unsupported'`: the RPC has no working `eth_simulateV1`, and a call after the first cannot be simulated
 *   alone (it needs the earlier calls' effects, an allowance for instance): the caller must simulate each call
 *   just before sending it, and a later call's revert then comes after the earlier ones were sent.
 */
export type SimulateSequenceReturnType = { simulated: 'sequence' | 'unsupported' };

/** A call of a simulated sequence would revert; `cause` carries viem's error with the revert data. */
export class SequenceCallRevertedError extends BaseError {
  /** Position of the reverting call in the sequence, from 0. */
  readonly index: number;
  constructor({ index, cause }: { index: number; cause: Error }) {
    super(`Call ${index} of the sequence would revert.`, { cause, name: 'SequenceCallRevertedError' });
    this.index = index;
  }
}

/** Clients whose RPC answered `eth_simulateV1` with a JSON-RPC error once: not asked again. */
const withoutSimulateV1 = new WeakSet<object>();

/**
 * Simulates `calls` in order from `account` on the latest block, each seeing the state the earlier ones leave, so
 * that nothing needs to be sent to learn that a later call would revert. A single call is one `eth_call`. Longer
 * sequences use `eth_simulateV1` (viem's `simulateCalls`, without validation: nonces, fees and balance for gas
 * are the sending wallet's business). An RPC without it (method not found, or one that has it broken: Arbitrum's
 * answers "method handler crashed") is remembered per client (a transport failure is not) and reported as
 * `'unsupported'` rather than failing: a node on such a chain keeps working, with each call simulated just before
 * it is sent. The alternative, a state
 * override, is not generic: the allowance slot an `approve` writes depends on the token's storage layout, and
 * putting a batching contract's code on the sender's address changes `msg.sender.code` for the calls.
 * @param client A public client of the chain.
 * @returns `{ simulated: 'sequence' }` when every call was simulated and none reverts, `'unsupported'` as above.
 * @throws {SequenceCallRevertedError} when a call would revert; its `cause` is viem's error (revert data
 *   included), its `index` the call's position.
 * @example
 * import { simulateSequence } from '@souk/contracts';
 * await simulateSequence(publicClient, { account, calls: [approveCall, depositCall] }); // throws before sending
 */
export async function simulateSequence(
  client: Client,
  { account, calls }: SimulateSequenceParameters,
): Promise<SimulateSequenceReturnType> {
  if (calls.length === 0) return { simulated: 'sequence' };
  if (calls.length === 1) {
    try {
      await call(client, { account, to: calls[0].to, data: calls[0].data, value: calls[0].value });
    } catch (error) {
      throw new SequenceCallRevertedError({ index: 0, cause: error as Error });
    }
    return { simulated: 'sequence' };
  }
  if (withoutSimulateV1.has(client)) return { simulated: 'unsupported' };
  let results: Awaited<ReturnType<typeof simulateCalls>>['results'];
  try {
    ({ results } = await simulateCalls(client, {
      account,
      calls: calls.map((c) => ({ to: c.to, data: c.data, value: c.value })),
    }));
  } catch (error) {
    // A revert is a per-call status in the answer, never a thrown error: a JSON-RPC error answer is the RPC
    // refusing the method (remembered); a transport failure (timeout, HTTP) is not, so it is asked again next time.
    if (error instanceof BaseError && error.walk((e) => e instanceof RpcError || e instanceof RpcRequestError))
      withoutSimulateV1.add(client);
    return { simulated: 'unsupported' };
  }
  for (const [index, result] of results.entries()) {
    if (result.status === 'failure') {
      throw new SequenceCallRevertedError({
        index,
        cause: result.error ?? new Error('The call failed without revert data (out of gas or invalid opcode).'),
      });
    }
  }
  return { simulated: 'sequence' };
}
