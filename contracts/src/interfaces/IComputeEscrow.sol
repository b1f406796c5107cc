// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IComputeEscrow
/// @notice Compute protocol v2, on-chain half: requesters keep prepaid balances here; orders, assignment and result
/// attestations happen off-chain (EIP-712, see `packages/protocol/src/compute.ts`), and the node settles finished
/// jobs in batches ({settleBatch}) from the requester's signed order and the providers' signed attestations. A
/// referee settles disagreements ({settleDispute}) and slashes every provider whose own signature vouches for a
/// wrong result.
/// @dev EIP-712 domain: name "Souk ComputeEscrow", version "1", the chain id, this contract. An order's identity
/// (`orderHash`) is its full EIP-712 digest, as viem's `hashTypedData` computes it.
interface IComputeEscrow {
    /// @notice A job order, signed by its requester (EIP-712 type `JobOrder`).
    /// @param requester Who pays: its balance in `currency` is debited at settlement.
    /// @param modelId The model (AgentNFT token id) to run; its creator earns the creator share.
    /// @param modelVersion Version index of the model (0 = as minted).
    /// @param inputHash SHA-256 of the input bytes.
    /// @param currency Payment currency: an allowed ERC-20, or `address(0)` for the native coin.
    /// @param maxPrice The most the requester pays, in wei of `currency`.
    /// @param redundancy r, providers that must return the same result (1..{MAX_REDUNDANCY}).
    /// @param verification Verification class: 0 = exact (the r providers return the same result bytes), 1 =
    /// tolerance (their numeric outputs agree within the model's declared atol/rtol, and they all attest one
    /// representative result). The model version fixes the tolerance: its manifest is immutable.
    /// @param deadline Last Unix second at which the order can be settled (charged).
    /// @param nonce Unordered nonce: bit `nonce & 255` of word `nonce >> 8` of the requester's bitmap.
    struct JobOrder {
        address requester;
        uint256 modelId;
        uint32 modelVersion;
        bytes32 inputHash;
        address currency;
        uint256 maxPrice;
        uint8 redundancy;
        uint8 verification;
        uint64 deadline;
        uint256 nonce;
    }

    /// @notice One finished job in a batch.
    /// @param order The signed order.
    /// @param requesterSignature The requester's EIP-712 signature of `order` (65-byte ECDSA, or ERC-1271).
    /// @param amount What the job costs, in wei of `order.currency` (≤ `order.maxPrice`).
    /// @param resultHash The result every provider attested.
    /// @param providers The r providers, distinct, each active in the ProviderRegistry.
    /// @param providerSignatures `providerSignatures[i]`: `providers[i]`'s EIP-712 signature of
    /// `ResultAttestation(orderHash, resultHash)`.
    struct Settlement {
        JobOrder order;
        bytes requesterSignature;
        uint256 amount;
        bytes32 resultHash;
        address[] providers;
        bytes[] providerSignatures;
    }

    /// @notice A provider's signed result, as evidence in a dispute.
    /// @param provider The provider.
    /// @param resultHash The result it attested.
    /// @param signature Its EIP-712 signature of `ResultAttestation(orderHash, resultHash)`.
    struct SignedAttestation {
        address provider;
        bytes32 resultHash;
        bytes signature;
    }

    /// @notice Thrown (or, in a batch, the skip reason) when the requester's signature does not sign the order.
    error SoukInvalidRequesterSignature(bytes32 orderHash, address requester);
    /// @notice Thrown (or skip reason) when the order's deadline (Unix seconds) has passed: it can never be charged.
    error SoukOrderExpired(bytes32 orderHash, uint256 deadline);
    /// @notice Thrown (or skip reason) when the order's nonce was used (settled, disputed, or invalidated by an
    /// invalidation already in effect).
    error SoukNonceUsed(address requester, uint256 nonce);
    /// @notice Thrown (or skip reason) when the amount (wei) exceeds the order's `maxPrice` (wei).
    error SoukPriceAboveMax(bytes32 orderHash, uint256 amount, uint256 maxPrice);
    /// @notice Skip reason when the requester's balance (wei of `currency`) does not cover the amount (wei).
    error SoukInsufficientBalance(address account, address currency, uint256 balance, uint256 amount);
    /// @notice Thrown (or skip reason) when the order's redundancy is outside 1..{MAX_REDUNDANCY}.
    error SoukInvalidRedundancy(uint256 redundancy);
    /// @notice Thrown (or skip reason) when the order asks for a verification class other than 0 (exact) or 1
    /// (tolerance).
    error SoukUnsupportedVerification(uint256 verification);
    /// @notice Thrown (or skip reason) when the number of providers (or of their signatures) does not fit the
    /// order's redundancy.
    error SoukWrongProviderCount(bytes32 orderHash, uint256 given, uint256 redundancy);
    /// @notice Thrown (or skip reason) when a provider appears twice in one settlement or dispute.
    error SoukDuplicateProvider(bytes32 orderHash, address provider);
    /// @notice Skip reason when a provider is not active (registered with the minimum stake) in the registry.
    error SoukProviderNotActive(address provider);
    /// @notice Thrown (or skip reason) when a provider's signature does not sign the attestation.
    error SoukInvalidAttestation(bytes32 orderHash, address provider);
    /// @notice Skip reason when the order's model does not exist in the AgentNFT collection.
    error SoukUnknownModel(uint256 modelId);
    /// @notice Thrown when a dispute is settled after the order's deadline + {disputePeriod} (`closedAt`, Unix
    /// seconds, the last second it could).
    error SoukDisputeWindowClosed(bytes32 orderHash, uint256 closedAt);
    /// @notice Thrown when the referee's verdicts (`acceptedMask`, bit i for attestation i) contradict the hashes:
    /// an attestation of exactly the referee's result judged wrong, or (exact class) another result judged right;
    /// or when the mask has bits beyond the attestations.
    error SoukInvalidVerdicts(bytes32 orderHash, uint256 acceptedMask);
    /// @notice Thrown when the referee's correct result hash is zero.
    error SoukZeroHash();
    /// @notice Thrown on a zero deposit or withdrawal request.
    error SoukZeroAmount();
    /// @notice Thrown when the zero address is given where an account is required.
    error SoukZeroAddress();
    /// @notice Thrown by {withdraw} and {cancelWithdrawal} without a pending request.
    error SoukNoPendingWithdrawal(address account, address currency);
    /// @notice Thrown by {withdraw} before the request's `unlockAt` (Unix seconds).
    error SoukWithdrawalLocked(address account, address currency, uint256 unlockAt);
    /// @notice Thrown by {requestNonceInvalidation} with an empty mask.
    error SoukZeroMask();
    /// @notice Thrown by {completeNonceInvalidation} when the caller has no pending invalidation in word `wordPos`.
    error SoukNoPendingNonceInvalidation(address requester, uint256 wordPos);
    /// @notice Thrown by {completeNonceInvalidation} before the invalidation's `effectiveAt` (Unix seconds).
    error SoukNonceInvalidationLocked(address requester, uint256 wordPos, uint256 effectiveAt);
    /// @notice Thrown when a revenue split does not sum to 10,000 bps.
    error SoukInvalidSplit(uint256 providerBps, uint256 treasuryBps, uint256 creatorBps);
    /// @notice Thrown when a slash amount above `type(uint96).max` SOUK wei is set.
    error SoukInvalidSlashAmount(uint256 amount);
    /// @notice Thrown when a duration parameter (seconds) is outside its bounds.
    error SoukInvalidDuration(uint256 duration);

    /// @notice Money entered an account's balance.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param account Whose balance grew.
    /// @param from Who paid (differs from `account` for {depositFor}).
    /// @param amount Wei of `currency`.
    event Deposited(address indexed currency, address indexed account, address indexed from, uint256 amount);
    /// @notice An account asked to withdraw; replaces any earlier request for the currency.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param account The requester.
    /// @param amount Wei asked for (at most the balance is paid at {withdraw}).
    /// @param unlockAt Unix seconds from which {withdraw} works.
    event WithdrawalRequested(address indexed currency, address indexed account, uint256 amount, uint64 unlockAt);
    /// @notice An account cancelled its pending withdrawal.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param account The requester.
    event WithdrawalCancelled(address indexed currency, address indexed account);
    /// @notice A withdrawal was paid out.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param account Whose balance shrank.
    /// @param to Receiver.
    /// @param amount Wei of `currency` sent.
    event Withdrawn(address indexed currency, address indexed account, address to, uint256 amount);
    /// @notice A requester asked to invalidate nonces; orders signed with them stay payable until `effectiveAt`.
    /// Replaces any pending request for the word (whose bits it includes).
    /// @param requester The account.
    /// @param wordPos Bitmap word index (`nonce >> 8`).
    /// @param mask Every bit pending in that word (this request's and any earlier pending one's).
    /// @param effectiveAt Unix seconds (the request's block time + {withdrawalDelay} seconds) from which the
    /// nonces count as used and orders signed with them are skipped.
    event NonceInvalidationRequested(
        address indexed requester, uint256 indexed wordPos, uint256 mask, uint64 effectiveAt
    );
    /// @notice A pending invalidation, already in effect since its `effectiveAt`, was written into the requester's
    /// bitmap ({completeNonceInvalidation}, or a new request for the same word). Nonces that settled before it took
    /// effect stay settled; the others can no longer be settled or disputed.
    /// @param requester The account.
    /// @param wordPos Bitmap word index (`nonce >> 8`).
    /// @param mask Bits written in that word.
    event NoncesInvalidated(address indexed requester, uint256 indexed wordPos, uint256 mask);
    /// @notice A job was settled: the requester was charged and the payees credited.
    /// @param orderHash The order's EIP-712 digest.
    /// @param requester Who paid.
    /// @param modelId The model run.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param amount Wei of `currency` charged.
    /// @param resultHash The agreed result.
    /// @param providers Who were paid (each `amount * providerBps / 10_000 / r`).
    event JobSettled(
        bytes32 indexed orderHash,
        address indexed requester,
        uint256 indexed modelId,
        address currency,
        uint256 amount,
        bytes32 resultHash,
        address[] providers
    );
    /// @notice A batch entry was skipped: nothing moved, the nonce stays unused.
    /// @param orderHash The order's EIP-712 digest.
    /// @param reason Selector of the custom error that names why (e.g. `SoukNonceUsed.selector`).
    event JobSkipped(bytes32 indexed orderHash, bytes4 reason);
    /// @notice The referee settled a dispute.
    /// @param orderHash The order's EIP-712 digest.
    /// @param correctResultHash The referee's result.
    /// @param paid Providers whose result the referee accepted and who were paid (empty when nobody was charged).
    /// @param slashed Providers whose signed result the referee rejected (each slashed {slashAmount}).
    event DisputeSettled(bytes32 indexed orderHash, bytes32 correctResultHash, address[] paid, address[] slashed);
    /// @notice Governance changed the revenue split, bps (sums to 10,000).
    event RevenueSplitSet(uint16 providerBps, uint16 treasuryBps, uint16 creatorBps);
    /// @notice Governance changed the slash per wrong result, SOUK wei.
    event SlashAmountSet(uint256 amount);
    /// @notice Governance changed the dispute period, seconds.
    event DisputePeriodSet(uint64 period);
    /// @notice Governance changed the withdrawal delay, seconds.
    event WithdrawalDelaySet(uint64 delay);
    /// @notice Governance changed the treasury.
    event TreasurySet(address treasury);

    /// @notice Adds `amount` wei of `currency` to the caller's balance (native: send it as `msg.value`; ERC-20:
    /// approve first). Paused by the guardian.
    /// @dev Reverts {SoukZeroAmount}, `SoukCurrencyNotAllowed`, `SoukIncorrectPayment`. Emits {Deposited}.
    function deposit(address currency, uint256 amount) external payable;

    /// @notice Adds `amount` wei of `currency` to `account`'s balance, paid by the caller (prepaying one job for a
    /// one-off user). Paused by the guardian.
    /// @dev Reverts {SoukZeroAddress}, {SoukZeroAmount}, `SoukCurrencyNotAllowed`, `SoukIncorrectPayment`.
    /// Emits {Deposited}.
    function depositFor(address account, address currency, uint256 amount) external payable;

    /// @notice Asks to withdraw up to `amount` wei of `currency` after {withdrawalDelay} seconds. Replaces (and
    /// restarts) any pending request for the currency. Reserves nothing: jobs settled meanwhile are paid first.
    /// Never paused.
    /// @dev Reverts {SoukZeroAmount}. Emits {WithdrawalRequested}.
    /// @return unlockAt Unix seconds from which {withdraw} works.
    function requestWithdrawal(address currency, uint256 amount) external returns (uint64 unlockAt);

    /// @notice Drops the caller's pending withdrawal of `currency`. Never paused.
    /// @dev Reverts {SoukNoPendingWithdrawal}. Emits {WithdrawalCancelled}.
    function cancelWithdrawal(address currency) external;

    /// @notice Pays the caller's pending withdrawal of `currency` to `to`: `min(requested, balance)` wei. Never
    /// paused.
    /// @dev Reverts {SoukZeroAddress}, {SoukNoPendingWithdrawal}, {SoukWithdrawalLocked} before `unlockAt`,
    /// `SoukNothingToWithdraw` when the balance is zero, `SoukWithdrawalFailed` when a native transfer fails.
    /// Emits {Withdrawn}.
    /// @return amount Wei of `currency` sent.
    function withdraw(address currency, address to) external returns (uint256 amount);

    /// @notice Asks to cancel the orders signed with the nonces of `mask`'s bits in word `wordPos` of the caller's
    /// bitmap, {withdrawalDelay} seconds from now: until then such an order still settles (and uses its nonce),
    /// so a requester who already has a job's result cannot cancel its payment (the node settles within that
    /// delay of accepting an order). From `effectiveAt` on, the nonces not used by then count as used. Adds to any
    /// pending request for the word and restarts its delay (a pending request already in effect is first written
    /// into the bitmap). Never paused, like withdrawals.
    /// @dev Reverts {SoukZeroMask}. Emits {NoncesInvalidated} (when an effective request is written first) and
    /// {NonceInvalidationRequested}.
    /// @return effectiveAt Unix seconds from which the nonces count as used.
    function requestNonceInvalidation(uint256 wordPos, uint256 mask) external returns (uint64 effectiveAt);

    /// @notice Writes the caller's pending invalidation of word `wordPos`, once in effect, into its bitmap and
    /// clears it. Optional: an invalidation is in effect from its `effectiveAt` whether completed or not. Never
    /// paused.
    /// @dev Reverts {SoukNoPendingNonceInvalidation}, {SoukNonceInvalidationLocked} before `effectiveAt`. Emits
    /// {NoncesInvalidated}.
    function completeNonceInvalidation(uint256 wordPos) external;

    /// @notice Settles finished jobs (`SETTLER_ROLE`, the node). Each entry is checked in this order — deadline,
    /// verification class, redundancy, provider and signature count, amount ≤ maxPrice, nonce, balance, requester
    /// signature, then per provider: distinct, active, attestation signature; then the model's existence — and is
    /// skipped ({JobSkipped} with the failing check's error selector; nothing moves) at the first failure, so one
    /// bad entry never reverts the batch. The nonce check counts an invalidation only once in effect
    /// ({requestNonceInvalidation}). A valid entry uses the nonce, debits the requester and credits (pull, see
    /// `withdrawCredits`) each provider `amount * providerBps / 10_000 / r`, the model's creator
    /// `amount * creatorBps / 10_000` and the treasury the rest (its share + rounding dust). Paused by the guardian.
    /// @dev Reverts only for the role, the pause, or calldata that does not decode. Emits {JobSettled} or
    /// {JobSkipped} per entry.
    /// @return settled How many entries were settled.
    function settleBatch(Settlement[] calldata batch) external returns (uint256 settled);

    /// @notice Settles a disputed order (`REFEREE_ROLE`, who re-executed it: `correctResultHash` is the hash of
    /// its own result). Uses the order's nonce (an order is settled or disputed once). Each attestation is a
    /// provider's signature of its own result; bit i of `acceptedMask` is the referee's verdict on attestation i.
    /// Exact class: the verdict must be `resultHash == correctResultHash` (the contract checks it, so the referee
    /// has no choice). Tolerance class: the referee judges whether the provider's result is within the model's
    /// tolerance of its own; an attestation of exactly `correctResultHash` cannot be judged wrong. Accepted providers
    /// that are active share `amount` as in {settleBatch} — only while the deadline has not passed and the
    /// requester's balance covers `amount`; otherwise nobody is charged. Every rejected provider is slashed
    /// {slashAmount} SOUK wei in the registry, on its own signature. Allowed until `order.deadline + disputePeriod`.
    /// @dev Reverts {SoukZeroHash}, {SoukInvalidRequesterSignature}, {SoukDisputeWindowClosed}, {SoukNonceUsed},
    /// {SoukUnsupportedVerification}, {SoukWrongProviderCount} (0 or more than r attestations),
    /// {SoukPriceAboveMax}, {SoukDuplicateProvider}, {SoukInvalidAttestation}, {SoukInvalidVerdicts}. Emits
    /// {DisputeSettled} (and {JobSettled} when someone was paid).
    function settleDispute(
        JobOrder calldata order,
        bytes calldata requesterSignature,
        uint256 amount,
        bytes32 correctResultHash,
        SignedAttestation[] calldata attestations,
        uint256 acceptedMask
    ) external;

    /// @notice The order's EIP-712 digest (its `orderHash`).
    function hashOrder(JobOrder calldata order) external view returns (bytes32);

    /// @notice The EIP-712 digest a provider signs for `resultHash` of the order `orderHash`.
    function hashAttestation(bytes32 orderHash, bytes32 resultHash) external view returns (bytes32);

    /// @notice Whether `requester`'s `nonce` can no longer be settled or disputed: it was used (settled or
    /// disputed) or an invalidation of it is in effect (its `effectiveAt` has come). A nonce whose invalidation is
    /// only pending reads `false`: its order still settles (see {pendingNonceInvalidation}).
    function nonceUsed(address requester, uint256 nonce) external view returns (bool);

    /// @notice `requester`'s pending invalidation of word `wordPos` (`nonce >> 8`): the bits asked for and the Unix
    /// second it takes effect (0, 0 when none). Stays listed after `effectiveAt` until completed or replaced.
    function pendingNonceInvalidation(address requester, uint256 wordPos)
        external
        view
        returns (uint256 mask, uint64 effectiveAt);

    /// @notice `account`'s balance in `currency`, wei.
    function balanceOf(address currency, address account) external view returns (uint256);

    /// @notice `account`'s pending withdrawal of `currency`: wei asked for, and the Unix second it unlocks (0, 0
    /// when none).
    function pendingWithdrawal(address currency, address account)
        external
        view
        returns (uint256 amount, uint64 unlockAt);

    /// @notice Sum of all balances in `currency`, wei. This contract holds `totalDeposits + totalCredits`.
    function totalDeposits(address currency) external view returns (uint256);
}
