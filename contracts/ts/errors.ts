/**
 * Souk's contract errors, readable: revert data decoded with the ABIs of every Souk contract (plus `Error(string)`
 * and `Panic(uint256)`) into the custom error's name and arguments, with one sentence for the errors people meet
 * most. Browser-safe (ABIs and viem only): the node, the CLI and the web app share it.
 */
import { type AbiParameter, type BaseError, decodeAbiParameters, type Hex, isHex, toFunctionSelector } from 'viem';
import {
  agentNftAbi,
  computeEscrowAbi,
  licensesAbi,
  marketplaceAbi,
  mockErc20Abi,
  providerRegistryAbi,
  soukTokenAbi,
} from './generated/abis.ts';

/** A custom error decoded from revert data. */
export type DecodedContractError = {
  /** Error name, e.g. `SoukNotListed`. */
  name: string;
  /** Arguments in order (uints as bigint); `undefined` when only the 4-byte selector was available. */
  args: readonly unknown[] | undefined;
  /** Parameter names, in order, e.g. `['tokenId']`. */
  params: readonly string[];
};

/** An `error` item of an ABI. */
type AbiError = { type: 'error'; name: string; inputs: readonly AbiParameter[] };

/** `Error(string)` and `Panic(uint256)`, which any contract can revert with. */
const builtinErrors: AbiError[] = [
  { type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] },
  { type: 'error', name: 'Panic', inputs: [{ name: 'code', type: 'uint256' }] },
];

let selectors: Map<Hex, AbiError> | undefined;
/** Every error of the Souk ABIs by selector (errors shared by several contracts have one signature). */
function errorsBySelector(): Map<Hex, AbiError> {
  if (selectors) return selectors;
  selectors = new Map();
  const abis = [
    agentNftAbi,
    marketplaceAbi,
    licensesAbi,
    computeEscrowAbi,
    providerRegistryAbi,
    soukTokenAbi,
    mockErc20Abi,
  ] as const;
  for (const item of [...builtinErrors, ...abis.flat()]) {
    if (item.type !== 'error') continue;
    const error = item as AbiError;
    const signature = `${error.name}(${error.inputs.map((i) => i.type).join(',')})`;
    selectors.set(toFunctionSelector(signature), error);
  }
  return selectors;
}

/**
 * Decodes revert data with the ABIs of every Souk contract (and `Error(string)`, `Panic(uint256)`).
 * @param data Revert data: a 4-byte selector and ABI-encoded arguments (a bare selector decodes the name only).
 * @returns The error's name, arguments and parameter names, or `undefined` for an unknown selector.
 * @example
 * ```ts
 * import { decodeContractError } from './errors.ts'
 * decodeContractError('0x…') // { name: 'SoukNotListed', args: [7n], params: ['tokenId'] }
 * ```
 */
export function decodeContractError(data: Hex): DecodedContractError | undefined {
  if (!isHex(data) || data.length < 10) return undefined;
  const item = errorsBySelector().get(data.slice(0, 10).toLowerCase() as Hex);
  if (!item) return undefined;
  const params = item.inputs.map((i, n) => i.name || `arg${n}`);
  if (data.length === 10 && item.inputs.length > 0) return { name: item.name, args: undefined, params };
  try {
    const args = decodeAbiParameters(item.inputs, `0x${data.slice(10)}`);
    return { name: item.name, args, params };
  } catch {
    return { name: item.name, args: undefined, params };
  }
}

const panics: Record<string, string> = {
  '1': 'assertion failed',
  '17': 'arithmetic overflow or underflow',
  '18': 'division by zero',
  '33': 'invalid enum value',
  '50': 'array index out of bounds',
};

/** A Unix time in seconds as an ISO date. */
function time(seconds: string): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** One sentence for the errors people meet most, or `undefined`. Amounts are shown in wei. */
function explain({ name, args }: DecodedContractError): string | undefined {
  if (!args) return undefined;
  const a = args.map(String);
  const sentences: Record<string, () => string> = {
    Error: () => `The contract said: ${a[0]}.`,
    Panic: () => `The contract panicked: ${panics[a[0]] ?? `code ${a[0]}`}.`,
    SoukNotListed: () => `Asset ${a[0]} is not listed for sale.`,
    SoukListingStale: () => `The listing of asset ${a[0]} is stale: ${a[1]} listed it but ${a[2]} owns it now.`,
    SoukPriceMismatch: () => `The price of asset ${a[0]} changed: expected ${a[1]} wei, now ${a[2]} wei.`,
    SoukCurrencyMismatch: () => `The currency of asset ${a[0]} changed: expected ${a[1]}, now ${a[2]}.`,
    SoukDurationMismatch: () =>
      `The licence duration of asset ${a[0]} changed: expected ${a[1]} s, now ${a[2]} s (0 s = perpetual).`,
    SoukIncorrectPayment: () => `Sent ${a[0]} wei but ${a[1]} wei is due.`,
    SoukInvalidPrice: () => `Price ${a[0]} wei is not accepted (zero, or above 2^96 − 1 wei).`,
    SoukNotTokenOwner: () => `${a[0]} does not own asset ${a[1]}.`,
    SoukNotAssetOwner: () => `${a[0]} does not own asset ${a[1]}.`,
    SoukNotSeller: () => `${a[0]} is not the seller of asset ${a[1]}.`,
    SoukMarketplaceNotApproved: () => `The marketplace may not transfer asset ${a[0]}: approve it first.`,
    SoukCurrencyNotAllowed: () => `Currency ${a[0]} is not accepted for payment.`,
    SoukLicensingClosed: () => `Asset ${a[0]} has no open licence terms.`,
    SoukRoyaltyTooHigh: () => `A royalty of ${a[0]} bps is above the ${a[1]} bps cap.`,
    SoukEmptyURI: () => 'The manifest URI is empty.',
    SoukNothingToWithdraw: () => `${a[0]} has nothing to withdraw in ${a[1]}.`,
    SoukInsufficientStake: () => `Provider ${a[0]} would stake ${a[1]} wei, below the ${a[2]} wei minimum.`,
    SoukProviderNotActive: () => `Provider ${a[0]} is not active.`,
    SoukNotRegistered: () => `${a[0]} is not a registered provider.`,
    SoukInsufficientFreeStake: () => `Provider ${a[0]} has ${a[1]} wei of unlocked stake; ${a[2]} wei is needed.`,
    SoukUnbondingPeriodTooShort: () =>
      `An unbonding period of ${a[0]} s is below the registry's floor of ${a[1]} s (minUnbondingPeriod).`,
    SoukOrderExpired: () => `Order ${a[0]} expired at ${time(a[1])}.`,
    SoukNonceUsed: () => `Nonce ${a[1]} of ${a[0]} is already used: sign the order with a fresh nonce.`,
    SoukInsufficientBalance: () =>
      `${a[0]} has ${a[2]} (base units) deposited in ${a[1]} but ${a[3]} is needed: deposit into the ComputeEscrow first.`,
    SoukWithdrawalLocked: () => `The withdrawal of ${a[0]} in ${a[1]} unlocks at ${time(a[2])}.`,
    SoukZeroAddress: () => 'The zero address was given where an account is needed.',
    ERC20InsufficientBalance: () => `${a[0]} holds ${a[1]} but ${a[2]} (base units of the token) is needed.`,
    ERC20InsufficientAllowance: () => `${a[0]} may spend ${a[1]} but ${a[2]} (base units of the token) is needed.`,
    ERC721NonexistentToken: () => `There is no asset ${a[0]}.`,
    ERC721InsufficientApproval: () => `${a[0]} may not transfer asset ${a[1]}.`,
    AccessControlUnauthorizedAccount: () => `${a[0]} lacks the role this needs.`,
    EnforcedPause: () => 'The contract is paused.',
  };
  return sentences[name]?.();
}

/** `SoukNotListed(tokenId: 7)`, followed by the sentence when there is one. */
export function describeContractError(decoded: DecodedContractError): string {
  const args = decoded.args
    ? decoded.params.map((p, i) => `${p}: ${String(decoded.args?.[i])}`).join(', ')
    : decoded.params.length > 0
      ? '…'
      : '';
  const sentence = explain(decoded);
  return `${decoded.name}(${args})${sentence ? `\n${sentence}` : ''}`;
}

/**
 * Revert data carried anywhere in a viem error's `cause` chain (a `call`, `simulateContract` or
 * `estimateGas` failure).
 * @returns The data (selector + arguments), or `undefined` when the error carries none.
 */
export function findRevertData(error: BaseError): Hex | undefined {
  let found: Hex | undefined;
  error.walk((e) => {
    const candidate = e as { raw?: unknown; data?: unknown };
    const data =
      typeof candidate.raw === 'string'
        ? candidate.raw
        : typeof candidate.data === 'string'
          ? candidate.data
          : (candidate.data as { data?: unknown } | undefined)?.data;
    if (typeof data === 'string' && isHex(data) && data.length >= 10) found = data;
    return found !== undefined;
  });
  return found;
}
