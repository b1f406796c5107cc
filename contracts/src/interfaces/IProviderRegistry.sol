// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProviderRegistry
/// @notice Compute providers bond SOUK to serve jobs; unbonding waits a governed period; the ComputeEscrow (the
/// `SLASHER_ROLE` holder) slashes a provider whose own signed result the referee rejects. Reputation counters move
/// only through `REPORTER_ROLE`, which the deployment grants to nobody (indexers count from the escrow's events).
interface IProviderRegistry {
    /// @notice A provider's on-chain record.
    /// @param stake Bonded SOUK in wei, slashable, counted for {isActive}.
    /// @param unbonding SOUK in wei waiting to be withdrawn; still slashable until withdrawn.
    /// @param unbondableAt Unix time in seconds from which {withdraw} releases `unbonding`.
    /// @param completed Jobs completed, as reported by `REPORTER_ROLE` (counter).
    /// @param failed Jobs failed, as reported by `REPORTER_ROLE` (counter).
    /// @param slashed Times slashed (counter).
    /// @param registered Whether {register} was called.
    struct Provider {
        uint128 stake;
        uint128 unbonding;
        uint64 unbondableAt;
        uint64 completed;
        uint64 failed;
        uint32 slashed;
        bool registered;
    }

    /// @notice Thrown when an account registers twice.
    error SoukAlreadyRegistered(address provider);
    /// @notice Thrown when an account that never registered acts as a provider.
    error SoukNotRegistered(address provider);
    /// @notice Thrown when a stake would end below the minimum.
    error SoukInsufficientStake(address provider, uint256 stake, uint256 minimum);
    /// @notice Thrown when unbonding more than is staked.
    error SoukUnbondExceedsStake(address provider, uint256 amount, uint256 stake);
    /// @notice Thrown when withdrawing before the unbonding period ends.
    error SoukStillUnbonding(address provider, uint64 unbondableAt);
    /// @notice Thrown on a zero amount where one is required.
    error SoukZeroAmount();
    /// @notice Thrown when the zero address is given where an account is required.
    error SoukZeroAddress();
    /// @notice Thrown when an amount does not fit the 128-bit stake fields.
    error SoukAmountTooLarge(uint256 amount);
    /// @notice Thrown when the unbonding period is set beyond {MAX_UNBONDING_PERIOD}.
    error SoukUnbondingPeriodTooLong(uint256 period, uint256 maximum);
    /// @notice Thrown when the unbonding period (seconds) would be shorter than {minUnbondingPeriod}, the floor a
    /// slasher set: a provider could then withdraw before its fault is settled.
    error SoukUnbondingPeriodTooShort(uint256 period, uint256 minimum);
    /// @notice Thrown when locking or unbonding `amount` SOUK wei exceeds the provider's unlocked stake
    /// (`freeStake` = stake − locked): stake backing open commitments cannot leave, nor back another one.
    error SoukInsufficientFreeStake(address provider, uint256 freeStake, uint256 amount);

    /// @notice A provider registered.
    /// @param provider The account.
    /// @param stake Initial stake in SOUK wei.
    /// @param metadataURI Where its capabilities are described (ipfs:// or https://).
    event ProviderRegistered(address indexed provider, uint256 stake, string metadataURI);
    /// @notice A provider changed its metadata.
    /// @param provider The account.
    /// @param metadataURI The new URI.
    event MetadataUpdated(address indexed provider, string metadataURI);
    /// @notice Stake was added.
    /// @param provider The account.
    /// @param amount Added, SOUK wei.
    /// @param stake New total stake, SOUK wei.
    event StakeIncreased(address indexed provider, uint256 amount, uint256 stake);
    /// @notice Stake moved to unbonding.
    /// @param provider The account.
    /// @param amount Moved, SOUK wei.
    /// @param unbondableAt Unix seconds when all unbonding funds become withdrawable.
    event UnbondRequested(address indexed provider, uint256 amount, uint64 unbondableAt);
    /// @notice Unbonded stake was withdrawn.
    /// @param provider The account.
    /// @param amount Withdrawn, SOUK wei.
    event Withdrawn(address indexed provider, uint256 amount);
    /// @notice A provider was slashed.
    /// @param provider The account.
    /// @param requested Amount asked for, SOUK wei.
    /// @param slashed Amount actually taken (≤ stake + unbonding), SOUK wei, sent to the slash recipient.
    /// @param reason Why (e.g. the ComputeEscrow's `REASON_WRONG_RESULT`, keccak256("souk.slash.wrong-result")).
    event Slashed(address indexed provider, uint256 requested, uint256 slashed, bytes32 reason);
    /// @notice A reputation counter moved.
    /// @param provider The account.
    /// @param completed New completed count.
    /// @param failed New failed count.
    event ReputationUpdated(address indexed provider, uint64 completed, uint64 failed);
    /// @notice Stake was locked (by the slasher, for an open commitment).
    /// @param provider The account.
    /// @param amount Locked now, SOUK wei.
    /// @param locked Total locked, SOUK wei.
    event StakeLocked(address indexed provider, uint256 amount, uint256 locked);
    /// @notice A lock was released (its commitment settled).
    /// @param provider The account.
    /// @param amount Asked to release, SOUK wei.
    /// @param locked Total still locked, SOUK wei.
    event StakeUnlocked(address indexed provider, uint256 amount, uint256 locked);
    /// @notice The slasher set the floor of the unbonding period.
    /// @param period Seconds.
    event MinUnbondingPeriodSet(uint64 period);
    /// @notice Governance changed the minimum stake.
    /// @param minStake SOUK wei.
    event MinStakeSet(uint256 minStake);
    /// @notice Governance changed the unbonding period.
    /// @param period Seconds.
    event UnbondingPeriodSet(uint64 period);
    /// @notice Governance changed where slashed stake goes.
    /// @param recipient The receiver (the treasury).
    event SlashRecipientSet(address recipient);

    /// @notice Registers the caller with `stake` SOUK wei (approve it first) and its metadata URI.
    /// @dev Reverts {SoukAlreadyRegistered}, {SoukInsufficientStake}. Emits {ProviderRegistered}.
    function register(string calldata metadataURI, uint256 stake) external;

    /// @notice Replaces the caller's metadata URI. Reverts {SoukNotRegistered}. Emits {MetadataUpdated}.
    function updateMetadata(string calldata metadataURI) external;

    /// @notice Adds `amount` SOUK wei to the caller's stake. Reverts {SoukNotRegistered}, {SoukZeroAmount}.
    /// Emits {StakeIncreased}.
    function increaseStake(uint256 amount) external;

    /// @notice Moves `amount` SOUK wei from stake to unbonding and (re)starts the unbonding clock for all
    /// unbonding funds. Never paused. Unbonding funds stay slashable, and locked stake ({lockStake}) cannot be
    /// unbonded at all: a provider cannot flee a fault.
    /// @dev Reverts {SoukZeroAmount}, {SoukUnbondExceedsStake}, {SoukInsufficientFreeStake}. Emits {UnbondRequested}.
    /// @return unbondableAt Unix seconds from which {withdraw} works.
    function requestUnbond(uint256 amount) external returns (uint64 unbondableAt);

    /// @notice Sends the caller's unbonded SOUK back once the period has passed. Never paused.
    /// @dev Reverts {SoukZeroAmount} when nothing is unbonding, {SoukStillUnbonding} before `unbondableAt`.
    /// Emits {Withdrawn}.
    /// @return amount SOUK wei sent.
    function withdraw() external returns (uint256 amount);

    /// @notice Takes up to `amount` SOUK wei from `provider` (stake first, then unbonding) to the slash recipient.
    /// Only `SLASHER_ROLE` (the ComputeEscrow, on a provider's own signature under a result the referee rejected).
    /// Releases up to `amount` of the provider's lock (the lock that backed the fault), and caps what stays locked at
    /// the remaining stake.
    /// @dev Emits {Slashed}. Never reverts for lack of funds: it takes what there is.
    /// @return slashed SOUK wei actually taken.
    function slash(address provider, uint256 amount, bytes32 reason) external returns (uint256 slashed);

    /// @notice Locks `amount` SOUK wei of `provider`'s stake behind an open commitment (`SLASHER_ROLE`): locked stake
    /// cannot be unbonded. The ComputeEscrow does not lock (it slashes what is bonded when the dispute settles).
    /// @dev Reverts {SoukInsufficientFreeStake} when stake − locked < amount. Emits {StakeLocked}.
    function lockStake(address provider, uint256 amount) external;

    /// @notice Releases `amount` SOUK wei of `provider`'s lock (`SLASHER_ROLE`); never below zero.
    /// @dev Emits {StakeUnlocked}.
    function unlockStake(address provider, uint256 amount) external;

    /// @notice Sets the floor of the unbonding period, seconds (`SLASHER_ROLE`: a slasher pushes how long its faults
    /// stay disputable, so that governance cannot shorten unbonding below it; the ComputeEscrow pushes its
    /// withdrawal delay + dispute period, `ComputeEscrow.syncUnbondingFloor`).
    /// @dev Reverts {SoukUnbondingPeriodTooShort} when the current period is below it.
    /// Emits {MinUnbondingPeriodSet}.
    function setMinUnbondingPeriod(uint64 minimum) external;

    /// @notice SOUK wei of `provider`'s stake locked by open commitments (never more than its stake).
    function lockedStake(address provider) external view returns (uint256);

    /// @notice Floor of the unbonding period, seconds.
    function minUnbondingPeriod() external view returns (uint64);

    /// @notice Counts a completed (`success`) or failed job for `provider`. Only `REPORTER_ROLE` (no holder in the
    /// deployment: the ComputeEscrow lists providers in its events instead).
    /// Emits {ReputationUpdated}.
    function recordResult(address provider, bool success) external;

    /// @notice Whether `provider` is registered with at least the minimum stake.
    function isActive(address provider) external view returns (bool);

    /// @notice The full record of `provider`.
    function getProvider(address provider) external view returns (Provider memory);

    /// @notice `provider`'s metadata URI.
    function metadataURI(address provider) external view returns (string memory);

    /// @notice Governance: minimum stake in SOUK wei. Emits {MinStakeSet}.
    function setMinStake(uint256 minStake) external;

    /// @notice Governance: unbonding period in seconds ({minUnbondingPeriod}..90 days). Emits {UnbondingPeriodSet}.
    /// Reverts {SoukUnbondingPeriodTooLong}, {SoukUnbondingPeriodTooShort}.
    function setUnbondingPeriod(uint64 period) external;

    /// @notice Governance: receiver of slashed stake. Emits {SlashRecipientSet}.
    function setSlashRecipient(address recipient) external;

    /// @notice Minimum stake in SOUK wei.
    function minStake() external view returns (uint256);

    /// @notice Unbonding period in seconds.
    function unbondingPeriod() external view returns (uint64);

    /// @notice Receiver of slashed stake.
    function slashRecipient() external view returns (address);

    /// @notice Sum of all stake and unbonding funds, SOUK wei: always equals the registry's SOUK balance.
    function totalBonded() external view returns (uint256);
}
