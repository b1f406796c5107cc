// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @title ProviderRegistry
/// @notice Stake, unbonding, slashing and reputation counters of Souk compute providers.
/// @dev Stake lifecycle: unregistered → registered(stake) ⇄ unbonding (requestUnbond) → withdrawn (withdraw after
/// `unbondingPeriod`). `slash` reaches stake first, then unbonding funds, so a provider that sees a dispute coming
/// cannot escape it by unbonding. `SLASHER_ROLE` is held by the ComputeEscrow (compute protocol v2), which slashes a
/// provider whose own signed result the referee rejects; its orders are settled within its withdrawal delay and
/// disputable for its dispute period after their deadline, so governance keeps {unbondingPeriod} longer than both
/// together (the deployment's defaults: 14 days against 1 + 1 day).
///
/// Also open to a `SLASHER_ROLE` holder, and unused by the ComputeEscrow: stake locks ({lockStake},
/// {unlockStake}) for a slasher that commits stake to open work before it is done — locked stake cannot be unbonded,
/// so a provider cannot withdraw what backs a pending fault, and one stake cannot back more concurrent commitments
/// than it covers (invariant: locked ≤ stake; a slash releases the lock by its amount) — and a floor under the
/// unbonding period ({setMinUnbondingPeriod}) that governance then cannot go below (0, no floor, in the
/// deployment). `REPORTER_ROLE` ({recordResult}) has no holder in the deployment: the ComputeEscrow does not report,
/// indexers count results from its events. Money invariant: the registry's SOUK balance equals {totalBonded}.
/// `DEFAULT_ADMIN_ROLE` is governance's timelock.
contract ProviderRegistry is IProviderRegistry, AccessControl {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to slash, lock stake and set the unbonding floor (the ComputeEscrow).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Role allowed to move reputation counters ({recordResult}); no holder in the deployment.
    bytes32 public constant REPORTER_ROLE = keccak256("REPORTER_ROLE");
    /// @notice Longest unbonding period governance may set, in seconds.
    uint64 public constant MAX_UNBONDING_PERIOD = 90 days;

    /// @notice The staking token (SOUK).
    IERC20 public immutable stakeToken;

    mapping(address provider => Provider) private _providers;
    mapping(address provider => string) private _metadataURIs;
    uint256 private _minStake;
    uint64 private _unbondingPeriod;
    address private _slashRecipient;
    uint256 private _totalBonded;
    mapping(address provider => uint256) private _locked;
    uint64 private _minUnbondingPeriod;

    /// @param token SOUK.
    /// @param admin Governance (timelock), or the deployer until it hands over.
    /// @param minStake_ Minimum stake in SOUK wei.
    /// @param unbondingPeriod_ Seconds between {requestUnbond} and {withdraw}.
    /// @param slashRecipient_ Receiver of slashed stake (the treasury).
    constructor(IERC20 token, address admin, uint256 minStake_, uint64 unbondingPeriod_, address slashRecipient_) {
        stakeToken = token;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMinStake(minStake_);
        _setUnbondingPeriod(unbondingPeriod_);
        _setSlashRecipient(slashRecipient_);
    }

    /// @inheritdoc IProviderRegistry
    function register(string calldata metadataURI_, uint256 stake) external {
        Provider storage p = _providers[msg.sender];
        if (p.registered) revert SoukAlreadyRegistered(msg.sender);
        if (stake < _minStake || stake == 0) revert SoukInsufficientStake(msg.sender, stake, _minStake);
        p.registered = true;
        p.stake = _toUint128(stake);
        _totalBonded += stake;
        _metadataURIs[msg.sender] = metadataURI_;
        emit ProviderRegistered(msg.sender, stake, metadataURI_);
        stakeToken.safeTransferFrom(msg.sender, address(this), stake);
    }

    /// @inheritdoc IProviderRegistry
    function updateMetadata(string calldata metadataURI_) external {
        _requireRegistered(msg.sender);
        _metadataURIs[msg.sender] = metadataURI_;
        emit MetadataUpdated(msg.sender, metadataURI_);
    }

    /// @inheritdoc IProviderRegistry
    function increaseStake(uint256 amount) external {
        Provider storage p = _requireRegistered(msg.sender);
        if (amount == 0) revert SoukZeroAmount();
        uint256 stake = p.stake + amount;
        p.stake = _toUint128(stake);
        _totalBonded += amount;
        emit StakeIncreased(msg.sender, amount, stake);
        stakeToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnbond(uint256 amount) external returns (uint64 unbondableAt) {
        Provider storage p = _requireRegistered(msg.sender);
        if (amount == 0) revert SoukZeroAmount();
        if (amount > p.stake) revert SoukUnbondExceedsStake(msg.sender, amount, p.stake);
        // Cannot underflow: locked ≤ stake is kept by lockStake and slash.
        uint256 free = p.stake - _locked[msg.sender];
        if (amount > free) revert SoukInsufficientFreeStake(msg.sender, free, amount);
        // Cannot overflow: amount ≤ stake, and stake + unbonding ≤ total SOUK supply < 2^128.
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast) -- amount ≤ p.stake, a uint128
            p.stake -= uint128(amount);
            // forge-lint: disable-next-line(unsafe-typecast) -- amount ≤ p.stake, a uint128
            p.unbonding += uint128(amount);
        }
        unbondableAt = uint64(block.timestamp) + _unbondingPeriod;
        p.unbondableAt = unbondableAt;
        emit UnbondRequested(msg.sender, amount, unbondableAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdraw() external returns (uint256 amount) {
        Provider storage p = _providers[msg.sender];
        amount = p.unbonding;
        if (amount == 0) revert SoukZeroAmount();
        if (block.timestamp < p.unbondableAt) revert SoukStillUnbonding(msg.sender, p.unbondableAt);
        p.unbonding = 0;
        _totalBonded -= amount;
        emit Withdrawn(msg.sender, amount);
        stakeToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderRegistry
    function slash(address provider, uint256 amount, bytes32 reason)
        external
        onlyRole(SLASHER_ROLE)
        returns (uint256 slashed)
    {
        Provider storage p = _providers[provider];
        uint256 fromStake = amount < p.stake ? amount : p.stake;
        uint256 rest = amount - fromStake;
        uint256 fromUnbonding = rest < p.unbonding ? rest : p.unbonding;
        // Cannot underflow: each part is at most the field it is taken from.
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast) -- fromStake ≤ p.stake, a uint128
            p.stake -= uint128(fromStake);
            // forge-lint: disable-next-line(unsafe-typecast) -- fromUnbonding ≤ p.unbonding, a uint128
            p.unbonding -= uint128(fromUnbonding);
            slashed = fromStake + fromUnbonding;
            _totalBonded -= slashed;
        }
        // The fault settles the lock that backed it; what is left stays within the remaining stake.
        uint256 locked = _locked[provider];
        if (locked != 0) {
            locked = amount < locked ? locked - amount : 0;
            if (locked > p.stake) locked = p.stake;
            _locked[provider] = locked;
        }
        if (p.registered) ++p.slashed;
        emit Slashed(provider, amount, slashed, reason);
        if (slashed != 0) stakeToken.safeTransfer(_slashRecipient, slashed);
    }

    /// @inheritdoc IProviderRegistry
    function lockStake(address provider, uint256 amount) external onlyRole(SLASHER_ROLE) {
        uint256 stake = _providers[provider].stake;
        uint256 locked = _locked[provider];
        // Cannot underflow: locked ≤ stake.
        uint256 free = stake - locked;
        if (amount > free) revert SoukInsufficientFreeStake(provider, free, amount);
        locked += amount;
        _locked[provider] = locked;
        emit StakeLocked(provider, amount, locked);
    }

    /// @inheritdoc IProviderRegistry
    function unlockStake(address provider, uint256 amount) external onlyRole(SLASHER_ROLE) {
        uint256 locked = _locked[provider];
        // A slash may already have released part of it: never below zero.
        locked = amount < locked ? locked - amount : 0;
        _locked[provider] = locked;
        emit StakeUnlocked(provider, amount, locked);
    }

    /// @inheritdoc IProviderRegistry
    function setMinUnbondingPeriod(uint64 minimum) external onlyRole(SLASHER_ROLE) {
        if (_unbondingPeriod < minimum) revert SoukUnbondingPeriodTooShort(_unbondingPeriod, minimum);
        _minUnbondingPeriod = minimum;
        emit MinUnbondingPeriodSet(minimum);
    }

    /// @inheritdoc IProviderRegistry
    function lockedStake(address provider) external view returns (uint256) {
        return _locked[provider];
    }

    /// @inheritdoc IProviderRegistry
    function minUnbondingPeriod() external view returns (uint64) {
        return _minUnbondingPeriod;
    }

    /// @inheritdoc IProviderRegistry
    function recordResult(address provider, bool success) external onlyRole(REPORTER_ROLE) {
        Provider storage p = _providers[provider];
        if (success) ++p.completed;
        else ++p.failed;
        emit ReputationUpdated(provider, p.completed, p.failed);
    }

    /// @inheritdoc IProviderRegistry
    function isActive(address provider) external view returns (bool) {
        Provider storage p = _providers[provider];
        return p.registered && p.stake >= _minStake && p.stake != 0;
    }

    /// @inheritdoc IProviderRegistry
    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function metadataURI(address provider) external view returns (string memory) {
        return _metadataURIs[provider];
    }

    /// @inheritdoc IProviderRegistry
    function setMinStake(uint256 minStake_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinStake(minStake_);
    }

    /// @inheritdoc IProviderRegistry
    function setUnbondingPeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingPeriod(period);
    }

    /// @inheritdoc IProviderRegistry
    function setSlashRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashRecipient(recipient);
    }

    /// @inheritdoc IProviderRegistry
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @inheritdoc IProviderRegistry
    function unbondingPeriod() external view returns (uint64) {
        return _unbondingPeriod;
    }

    /// @inheritdoc IProviderRegistry
    function slashRecipient() external view returns (address) {
        return _slashRecipient;
    }

    /// @inheritdoc IProviderRegistry
    function totalBonded() external view returns (uint256) {
        return _totalBonded;
    }

    function _requireRegistered(address provider) private view returns (Provider storage p) {
        p = _providers[provider];
        if (!p.registered) revert SoukNotRegistered(provider);
    }

    function _toUint128(uint256 amount) private pure returns (uint128) {
        if (amount > type(uint128).max) revert SoukAmountTooLarge(amount);
        // forge-lint: disable-next-line(unsafe-typecast) -- checked on the line above
        return uint128(amount);
    }

    function _setMinStake(uint256 minStake_) private {
        _minStake = minStake_;
        emit MinStakeSet(minStake_);
    }

    function _setUnbondingPeriod(uint64 period) private {
        if (period > MAX_UNBONDING_PERIOD) revert SoukUnbondingPeriodTooLong(period, MAX_UNBONDING_PERIOD);
        if (period < _minUnbondingPeriod) revert SoukUnbondingPeriodTooShort(period, _minUnbondingPeriod);
        _unbondingPeriod = period;
        emit UnbondingPeriodSet(period);
    }

    function _setSlashRecipient(address recipient) private {
        if (recipient == address(0)) revert SoukZeroAddress();
        _slashRecipient = recipient;
        emit SlashRecipientSet(recipient);
    }
}
