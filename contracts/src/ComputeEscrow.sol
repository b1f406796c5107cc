// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {IComputeEscrow} from "./interfaces/IComputeEscrow.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {Governed} from "./utils/Governed.sol";
import {Payouts} from "./utils/Payouts.sol";

/// @title ComputeEscrow
/// @notice Compute protocol v2 settlement: prepaid requester balances, batched settlement of jobs whose order,
/// assignment and result attestations were exchanged off-chain, and referee-settled disputes that slash providers
/// on their own signatures.
/// @dev Where v1 (ComputeMarket) spends 3 + 2r transactions per job, v2 spends a share of one batch: per job three
/// or more signature checks (requester + r providers), a nonce bit, a balance debit and 2 + r pull credits. Nothing
/// is pushed during settlement: providers, creators and the treasury pull with `withdrawCredits`.
///
/// Trust model. The settler (the node) cannot charge a requester more than `maxPrice` for an order the requester
/// signed, at most once (unordered nonces, Permit2-style bitmaps), and only before the order's deadline; it cannot
/// pay a provider that did not sign the result. The referee decides which result is correct, but can slash only a
/// provider whose own signature vouches for a result: in the exact class one that differs from the referee's; in
/// the tolerance class one the referee judged outside the model's tolerance of its own (never one identical to it).
/// The tolerance judgement is the referee's word, checkable off-chain by anyone holding the input: the dispute event
/// names the referee's result hash and each slashed provider signed its own.
///
/// Withdrawals wait {withdrawalDelay} seconds and reserve nothing: a job settled meanwhile is paid first, and
/// {withdraw} pays `min(requested, balance)`. So a requester cannot run a job and withdraw its balance before the
/// node settles: the node must settle each job within {withdrawalDelay} of accepting it (it may also simply accept
/// no order with a deadline further away than that).
///
/// Nonce invalidation waits the same delay, for the same reason: the node hands the requester the verified result
/// before the batch that pays for it lands, so an invalidation in effect at once would let the requester cancel an
/// order already answered and leave its providers unpaid. {requestNonceInvalidation} takes effect only
/// {withdrawalDelay} seconds later; until then the order settles. The node refuses orders whose nonce has an
/// invalidation pending.
///
/// Settlement split (bps governed, summing to 10,000; default 8,000 / 1,500 / 500): each of the r providers gets
/// `amount * providerBps / 10_000 / r`, the creator `amount * creatorBps / 10_000`, the treasury the remainder —
/// its share plus all rounding dust, so every wei charged is credited. Governance changes apply to settlements
/// from then on (an order carries no split).
///
/// Reputation: settlement does not call the registry's `recordResult` (two external calls and two storage writes
/// per job would cost more than a sixth of the per-job gas target); {JobSettled} and {DisputeSettled} list the
/// providers, and indexers count from them. A provider's stake must be slashable until its signed orders' deadline
/// + {disputePeriod}: keep the registry's unbonding period longer than the node's longest accepted deadline +
/// {disputePeriod}.
///
/// Money invariant: this contract's balance of each currency equals {totalDeposits} + {totalCredits}.
contract ComputeEscrow is IComputeEscrow, Governed, Payouts, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Role that settles batches (the node).
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    /// @notice Role that settles disputes after re-executing the job.
    bytes32 public constant REFEREE_ROLE = keccak256("REFEREE_ROLE");
    /// @notice Largest redundancy r.
    uint8 public constant MAX_REDUNDANCY = 5;
    /// @notice Verification class: the r results are the same bytes.
    uint8 public constant VERIFICATION_EXACT = 0;
    /// @notice Verification class: the r numeric results agree within the model's tolerance, and every provider
    /// attests one representative result.
    uint8 public constant VERIFICATION_TOLERANCE = 1;
    /// @notice Slash reason: signed a result the referee found wrong (the same reason ComputeMarket uses).
    bytes32 public constant REASON_WRONG_RESULT = keccak256("souk.slash.wrong-result");
    /// @notice EIP-712 type hash of {JobOrder} (must match `jobOrderTypes` in `@souk/protocol`).
    bytes32 public constant JOB_ORDER_TYPEHASH = keccak256(
        "JobOrder(address requester,uint256 modelId,uint32 modelVersion,bytes32 inputHash,address currency,"
        "uint256 maxPrice,uint8 redundancy,uint8 verification,uint64 deadline,uint256 nonce)"
    );
    /// @notice EIP-712 type hash of a result attestation (must match `resultAttestationTypes` in `@souk/protocol`).
    bytes32 public constant RESULT_ATTESTATION_TYPEHASH =
        keccak256("ResultAttestation(bytes32 orderHash,bytes32 resultHash)");
    /// @notice Gas forwarded to an ERC-1271 wallet's `isValidSignature`: enough for multisig and passkey wallets,
    /// bounded so that a requester's gas-burning wallet cannot make a whole batch run out of gas.
    uint256 public constant ERC1271_GAS_LIMIT = 200_000;

    /// @notice The asset collection whose creators earn the creator share.
    IAgentNFT public immutable agentNFT;
    /// @notice Where providers' activity (stake) is checked and wrong results are slashed (this contract needs
    /// its SLASHER_ROLE).
    IProviderRegistry public immutable registry;

    /// @notice Providers' share of a settled amount, bps.
    uint16 public providerBps;
    /// @notice Treasury's share, bps (it also receives the rounding dust).
    uint16 public treasuryBps;
    /// @notice Model creator's share, bps.
    uint16 public creatorBps;
    /// @notice Seconds between {requestWithdrawal} and {withdraw}, and between {requestNonceInvalidation} and the
    /// invalidation taking effect.
    uint64 public withdrawalDelay;
    /// @notice Seconds after an order's deadline during which the referee may still slash wrong results.
    uint64 public disputePeriod;
    /// @notice Receiver of the treasury share.
    address public treasury;
    /// @notice SOUK wei slashed per wrong result (capped by what the provider has bonded).
    uint96 public slashAmount;

    /// @dev A pending withdrawal: wei asked for, Unix second from which it may be paid.
    struct Withdrawal {
        uint256 amount;
        uint64 unlockAt;
    }

    /// @dev A pending nonce invalidation of one bitmap word: the bits, Unix second from which they count as used.
    struct NonceInvalidation {
        uint256 mask;
        uint64 effectiveAt;
    }

    /// @dev What every entry of a batch reads, loaded once per batch, and what the batch learnt so far: providers
    /// found active and the last model's creator. Neither can change within a batch (settlement makes no call that
    /// can change state elsewhere), so asking the registry or the collection again would only cost gas.
    struct Terms {
        bytes32 domainSeparator;
        uint256 providerBps;
        uint256 creatorBps;
        address treasury;
        address[8] active;
        uint256 activeCount;
        uint256 modelId;
        address creator;
    }

    /// @dev A dispute being judged: the domain, the order, the referee's result hash, its verdicts (bit i for
    /// attestation i) and whether the order is of the exact class (verdicts then follow from the hashes).
    struct Verdicts {
        bytes32 separator;
        bytes32 orderHash;
        bytes32 correct;
        uint256 acceptedMask;
        bool exact;
    }

    mapping(address currency => mapping(address account => uint256)) private _balances;
    mapping(address currency => uint256) private _totalDeposits;
    mapping(address currency => mapping(address account => Withdrawal)) private _withdrawals;
    mapping(address requester => mapping(uint256 wordPos => uint256 bitmap)) private _nonceBitmaps;
    mapping(address requester => mapping(uint256 wordPos => NonceInvalidation)) private _nonceInvalidations;

    /// @notice Deployment parameters.
    /// @param admin Governance (timelock), or the deployer until it hands over.
    /// @param guardian Pauser; zero for none.
    /// @param treasury Receiver of the treasury share.
    /// @param slashAmount SOUK wei slashed per wrong result (≤ 2^96 − 1).
    /// @param withdrawalDelay Seconds between a withdrawal request and its payout (1 minute..30 days).
    /// @param disputePeriod Seconds after an order's deadline the referee may still slash (1 hour..30 days).
    struct Config {
        address admin;
        address guardian;
        address treasury;
        uint256 slashAmount;
        uint64 withdrawalDelay;
        uint64 disputePeriod;
    }

    /// @param nft The AgentNFT collection.
    /// @param registry_ The ProviderRegistry (grant this contract its SLASHER_ROLE).
    /// @param config See {Config}. Split starts at 8,000 / 1,500 / 500 bps.
    /// @dev Reverts {SoukZeroAddress}, {SoukInvalidSlashAmount}, {SoukInvalidDuration}.
    constructor(IAgentNFT nft, IProviderRegistry registry_, Config memory config)
        Governed(config.admin, config.guardian)
        EIP712("Souk ComputeEscrow", "1")
    {
        if (address(nft) == address(0) || address(registry_) == address(0)) revert SoukZeroAddress();
        agentNFT = nft;
        registry = registry_;
        _setTreasury(config.treasury);
        _setRevenueSplit(8_000, 1_500, 500);
        _setSlashAmount(config.slashAmount);
        _setWithdrawalDelay(config.withdrawalDelay);
        _setDisputePeriod(config.disputePeriod);
    }

    // ───────────────────────────── requester funds ─────────────────────────────

    /// @inheritdoc IComputeEscrow
    function deposit(address currency, uint256 amount) external payable whenNotPaused nonReentrant {
        _deposit(msg.sender, currency, amount);
    }

    /// @inheritdoc IComputeEscrow
    function depositFor(address account, address currency, uint256 amount) external payable whenNotPaused nonReentrant {
        if (account == address(0)) revert SoukZeroAddress();
        _deposit(account, currency, amount);
    }

    /// @inheritdoc IComputeEscrow
    function requestWithdrawal(address currency, uint256 amount) external returns (uint64 unlockAt) {
        if (amount == 0) revert SoukZeroAmount();
        // forge-lint: disable-next-line(unsafe-typecast) -- a Unix time + ≤ 30 days fits 64 bits
        unlockAt = uint64(block.timestamp + withdrawalDelay);
        _withdrawals[currency][msg.sender] = Withdrawal({amount: amount, unlockAt: unlockAt});
        emit WithdrawalRequested(currency, msg.sender, amount, unlockAt);
    }

    /// @inheritdoc IComputeEscrow
    function cancelWithdrawal(address currency) external {
        if (_withdrawals[currency][msg.sender].unlockAt == 0) revert SoukNoPendingWithdrawal(msg.sender, currency);
        delete _withdrawals[currency][msg.sender];
        emit WithdrawalCancelled(currency, msg.sender);
    }

    /// @inheritdoc IComputeEscrow
    function withdraw(address currency, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert SoukZeroAddress();
        Withdrawal memory w = _withdrawals[currency][msg.sender];
        if (w.unlockAt == 0) revert SoukNoPendingWithdrawal(msg.sender, currency);
        if (block.timestamp < w.unlockAt) revert SoukWithdrawalLocked(msg.sender, currency, w.unlockAt);
        uint256 balance = _balances[currency][msg.sender];
        amount = w.amount < balance ? w.amount : balance;
        if (amount == 0) revert SoukNothingToWithdraw(msg.sender, currency);
        delete _withdrawals[currency][msg.sender];
        // Cannot underflow: amount ≤ balance ≤ totalDeposits.
        unchecked {
            _balances[currency][msg.sender] = balance - amount;
            _totalDeposits[currency] -= amount;
        }
        emit Withdrawn(currency, msg.sender, to, amount);
        if (currency == NATIVE) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert SoukWithdrawalFailed(to, amount);
        } else {
            IERC20(currency).safeTransfer(to, amount);
        }
    }

    /// @inheritdoc IComputeEscrow
    function requestNonceInvalidation(uint256 wordPos, uint256 mask) external returns (uint64 effectiveAt) {
        if (mask == 0) revert SoukZeroMask();
        NonceInvalidation storage pending = _nonceInvalidations[msg.sender][wordPos];
        uint256 pendingMask = pending.mask;
        if (pendingMask != 0) {
            // An earlier request already in effect keeps its time: write it into the bitmap before restarting.
            if (block.timestamp >= pending.effectiveAt) _writeInvalidation(msg.sender, wordPos, pendingMask);
            else mask |= pendingMask;
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- a Unix time + ≤ 30 days fits 64 bits
        effectiveAt = uint64(block.timestamp + withdrawalDelay);
        (pending.mask, pending.effectiveAt) = (mask, effectiveAt);
        emit NonceInvalidationRequested(msg.sender, wordPos, mask, effectiveAt);
    }

    /// @inheritdoc IComputeEscrow
    function completeNonceInvalidation(uint256 wordPos) external {
        NonceInvalidation memory pending = _nonceInvalidations[msg.sender][wordPos];
        if (pending.mask == 0) revert SoukNoPendingNonceInvalidation(msg.sender, wordPos);
        if (block.timestamp < pending.effectiveAt) {
            revert SoukNonceInvalidationLocked(msg.sender, wordPos, pending.effectiveAt);
        }
        delete _nonceInvalidations[msg.sender][wordPos];
        _writeInvalidation(msg.sender, wordPos, pending.mask);
    }

    // ───────────────────────────── settlement ─────────────────────────────

    /// @inheritdoc IComputeEscrow
    function settleBatch(Settlement[] calldata batch)
        external
        onlyRole(SETTLER_ROLE)
        whenNotPaused
        nonReentrant
        returns (uint256 settled)
    {
        Terms memory terms;
        terms.domainSeparator = _domainSeparatorV4();
        terms.providerBps = providerBps;
        terms.creatorBps = creatorBps;
        terms.treasury = treasury;
        for (uint256 i; i < batch.length; ++i) {
            Settlement calldata s = batch[i];
            bytes32 orderHash = MessageHashUtils.toTypedDataHash(terms.domainSeparator, _structHash(s.order));
            (bytes4 reason, address creator) = _check(s, orderHash, terms);
            if (reason != bytes4(0)) {
                emit JobSkipped(orderHash, reason);
                continue;
            }
            JobOrder calldata order = s.order;
            // `_check` found the nonce neither used nor invalidated.
            _markNonce(order.requester, order.nonce);
            uint256 each = _debitAndSplit(order, s.amount, s.providers.length, creator, terms);
            for (uint256 j; j < s.providers.length; ++j) {
                _credit(order.currency, s.providers[j], each);
            }
            emit JobSettled(
                orderHash, order.requester, order.modelId, order.currency, s.amount, s.resultHash, s.providers
            );
            ++settled;
        }
    }

    /// @inheritdoc IComputeEscrow
    function settleDispute(
        JobOrder calldata order,
        bytes calldata requesterSignature,
        uint256 amount,
        bytes32 correctResultHash,
        SignedAttestation[] calldata attestations,
        uint256 acceptedMask
    ) external onlyRole(REFEREE_ROLE) nonReentrant {
        if (correctResultHash == 0) revert SoukZeroHash();
        Verdicts memory v = Verdicts({
            separator: _domainSeparatorV4(),
            orderHash: 0,
            correct: correctResultHash,
            acceptedMask: acceptedMask,
            exact: order.verification == VERIFICATION_EXACT
        });
        v.orderHash = _checkDispute(order, requesterSignature, amount, attestations.length, v.separator);
        _useNonce(order.requester, order.nonce);
        (address[] memory paid, address[] memory slashed) = _judge(v, attestations);

        if (!_payDispute(order, amount, v.orderHash, correctResultHash, v.separator, paid)) {
            assembly ("memory-safe") {
                mstore(paid, 0) // nobody was paid
            }
        }
        emit DisputeSettled(v.orderHash, correctResultHash, paid, slashed);

        uint256 slash = slashAmount;
        if (slash != 0) {
            for (uint256 j; j < slashed.length; ++j) {
                registry.slash(slashed[j], slash, REASON_WRONG_RESULT);
            }
        }
    }

    // ───────────────────────────── governance ─────────────────────────────

    /// @notice Governance: sets the revenue split in bps; the three must sum to 10,000. Emits {RevenueSplitSet}.
    /// @dev Reverts {SoukInvalidSplit}.
    function setRevenueSplit(uint16 providerBps_, uint16 treasuryBps_, uint16 creatorBps_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setRevenueSplit(providerBps_, treasuryBps_, creatorBps_);
    }

    /// @notice Governance: SOUK wei slashed per wrong result (≤ 2^96 − 1). Emits {SlashAmountSet}.
    /// @dev Reverts {SoukInvalidSlashAmount}.
    function setSlashAmount(uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashAmount(amount);
    }

    /// @notice Governance: seconds between a withdrawal request and its payout (1 minute..30 days), for requests
    /// made from now on. Emits {WithdrawalDelaySet}. Reverts {SoukInvalidDuration}.
    function setWithdrawalDelay(uint64 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWithdrawalDelay(delay);
    }

    /// @notice Governance: seconds after an order's deadline during which the referee may slash (1 hour..30 days).
    /// Emits {DisputePeriodSet}. Reverts {SoukInvalidDuration}.
    function setDisputePeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDisputePeriod(period);
    }

    /// @notice Governance: receiver of the treasury share. Emits {TreasurySet}. Reverts {SoukZeroAddress}.
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @notice Governance: allows or forbids a deposit currency (plain ERC-20s only). Balances already held in a
    /// forbidden currency can still be charged and withdrawn. Emits {CurrencyAllowed}.
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCurrencyAllowed(currency, allowed);
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc IComputeEscrow
    function hashOrder(JobOrder calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(order));
    }

    /// @inheritdoc IComputeEscrow
    function hashAttestation(bytes32 orderHash, bytes32 resultHash) external view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(_domainSeparatorV4(), _attestationHash(orderHash, resultHash));
    }

    /// @notice The EIP-712 domain separator (name "Souk ComputeEscrow", version "1", this chain, this contract).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IComputeEscrow
    function nonceUsed(address requester, uint256 nonce) public view returns (bool) {
        uint256 wordPos = nonce >> 8;
        // forge-lint: disable-next-line(incorrect-shift) -- bit `nonce & 255` of the word, as Permit2 does
        uint256 bit = 1 << (nonce & 0xff);
        if (_nonceBitmaps[requester][wordPos] & bit != 0) return true;
        NonceInvalidation storage pending = _nonceInvalidations[requester][wordPos];
        return pending.mask & bit != 0 && block.timestamp >= pending.effectiveAt;
    }

    /// @inheritdoc IComputeEscrow
    function pendingNonceInvalidation(address requester, uint256 wordPos)
        external
        view
        returns (uint256 mask, uint64 effectiveAt)
    {
        NonceInvalidation memory pending = _nonceInvalidations[requester][wordPos];
        return (pending.mask, pending.effectiveAt);
    }

    /// @inheritdoc IComputeEscrow
    function balanceOf(address currency, address account) external view returns (uint256) {
        return _balances[currency][account];
    }

    /// @inheritdoc IComputeEscrow
    function pendingWithdrawal(address currency, address account)
        external
        view
        returns (uint256 amount, uint64 unlockAt)
    {
        Withdrawal memory w = _withdrawals[currency][account];
        return (w.amount, w.unlockAt);
    }

    /// @inheritdoc IComputeEscrow
    function totalDeposits(address currency) external view returns (uint256) {
        return _totalDeposits[currency];
    }

    // ───────────────────────────── internals ─────────────────────────────

    /// @dev Adds `amount` to `account`'s balance, paid by the caller.
    /// Requirements: `amount` ≠ 0 ({SoukZeroAmount}); what `_collect` requires. Emits {Deposited}.
    function _deposit(address account, address currency, uint256 amount) private {
        if (amount == 0) revert SoukZeroAmount();
        _balances[currency][account] += amount;
        _totalDeposits[currency] += amount;
        emit Deposited(currency, account, msg.sender, amount);
        _collect(currency, msg.sender, amount);
    }

    /// @dev The first failing check of a batch entry, as its error's selector (zero when valid), and the model's
    /// creator. Checks the cheap fields before the signatures.
    function _check(Settlement calldata s, bytes32 orderHash, Terms memory terms)
        private
        view
        returns (bytes4 reason, address creator)
    {
        JobOrder calldata order = s.order;
        if (block.timestamp > order.deadline) return (SoukOrderExpired.selector, address(0));
        if (order.verification > VERIFICATION_TOLERANCE) return (SoukUnsupportedVerification.selector, address(0));
        uint256 r = order.redundancy;
        if (r == 0 || r > MAX_REDUNDANCY) return (SoukInvalidRedundancy.selector, address(0));
        if (s.providers.length != r || s.providerSignatures.length != r) {
            return (SoukWrongProviderCount.selector, address(0));
        }
        if (s.amount > order.maxPrice) return (SoukPriceAboveMax.selector, address(0));
        address requester = order.requester;
        if (nonceUsed(requester, order.nonce)) return (SoukNonceUsed.selector, address(0));
        if (_balances[order.currency][requester] < s.amount) return (SoukInsufficientBalance.selector, address(0));
        if (!_isValidSignature(requester, orderHash, s.requesterSignature)) {
            return (SoukInvalidRequesterSignature.selector, address(0));
        }
        bytes32 digest =
            MessageHashUtils.toTypedDataHash(terms.domainSeparator, _attestationHash(orderHash, s.resultHash));
        for (uint256 i; i < r; ++i) {
            address provider = s.providers[i];
            for (uint256 j; j < i; ++j) {
                if (s.providers[j] == provider) return (SoukDuplicateProvider.selector, address(0));
            }
            if (!_isActive(terms, provider)) return (SoukProviderNotActive.selector, address(0));
            if (!_isValidSignature(provider, digest, s.providerSignatures[i])) {
                return (SoukInvalidAttestation.selector, address(0));
            }
        }
        uint256 modelId = order.modelId;
        if (terms.creator != address(0) && terms.modelId == modelId) return (bytes4(0), terms.creator);
        try agentNFT.creatorOf(modelId) returns (address c) {
            creator = c;
        } catch {
            return (SoukUnknownModel.selector, address(0));
        }
        (terms.modelId, terms.creator) = (modelId, creator);
    }

    /// @dev Whether `provider` is active in the registry, asking it only for providers this batch has not yet
    /// found active (up to 8 remembered).
    function _isActive(Terms memory terms, address provider) private view returns (bool) {
        uint256 n = terms.activeCount;
        for (uint256 i; i < n; ++i) {
            if (terms.active[i] == provider) return true;
        }
        if (!registry.isActive(provider)) return false;
        if (n < 8) {
            terms.active[n] = provider;
            terms.activeCount = n + 1;
        }
        return true;
    }

    /// @dev The checks of {settleDispute} that revert, in order; returns the order hash.
    function _checkDispute(
        JobOrder calldata order,
        bytes calldata requesterSignature,
        uint256 amount,
        uint256 attestationCount,
        bytes32 separator
    ) private view returns (bytes32 orderHash) {
        orderHash = MessageHashUtils.toTypedDataHash(separator, _structHash(order));
        if (!_isValidSignature(order.requester, orderHash, requesterSignature)) {
            revert SoukInvalidRequesterSignature(orderHash, order.requester);
        }
        uint256 closedAt = uint256(order.deadline) + disputePeriod;
        if (block.timestamp > closedAt) revert SoukDisputeWindowClosed(orderHash, closedAt);
        if (order.verification > VERIFICATION_TOLERANCE) revert SoukUnsupportedVerification(order.verification);
        uint256 r = order.redundancy;
        if (attestationCount == 0 || attestationCount > r || attestationCount > MAX_REDUNDANCY) {
            revert SoukWrongProviderCount(orderHash, attestationCount, r);
        }
        if (amount > order.maxPrice) revert SoukPriceAboveMax(orderHash, amount, order.maxPrice);
    }

    /// @dev Splits the attestations of a dispute by the referee's verdicts (bit i of `v.acceptedMask`) into the
    /// providers to pay (accepted and active) and those to slash (rejected). Requirements: every signature valid
    /// ({SoukInvalidAttestation}), providers distinct ({SoukDuplicateProvider}), verdicts consistent with the hashes
    /// ({SoukInvalidVerdicts}): no bits beyond the attestations, an attestation of `correct` always accepted, and
    /// in the exact class every other one rejected.
    function _judge(Verdicts memory v, SignedAttestation[] calldata attestations)
        private
        view
        returns (address[] memory paid, address[] memory slashed)
    {
        uint256 n = attestations.length;
        if (v.acceptedMask >> n != 0) revert SoukInvalidVerdicts(v.orderHash, v.acceptedMask);
        paid = new address[](n);
        slashed = new address[](n);
        uint256 k;
        uint256 w;
        for (uint256 i; i < n; ++i) {
            (address provider, bytes32 resultHash) = _verifyAttestation(v.orderHash, v.separator, attestations, i);
            bool accepted = (v.acceptedMask >> i) & 1 == 1;
            // Exact: the verdict is the hash comparison. Tolerance: the referee's judgement, except that a result
            // bit-identical to the referee's own cannot be outside its tolerance.
            if (resultHash == v.correct ? !accepted : v.exact && accepted) {
                revert SoukInvalidVerdicts(v.orderHash, v.acceptedMask);
            }
            if (!accepted) slashed[w++] = provider;
            else if (registry.isActive(provider)) paid[k++] = provider;
        }
        assembly ("memory-safe") {
            mstore(paid, k)
            mstore(slashed, w)
        }
    }

    /// @dev Attestation `i` of a dispute, checked: its signature valid ({SoukInvalidAttestation}), its provider
    /// not among the earlier ones ({SoukDuplicateProvider}).
    function _verifyAttestation(
        bytes32 orderHash,
        bytes32 separator,
        SignedAttestation[] calldata attestations,
        uint256 i
    ) private view returns (address provider, bytes32 resultHash) {
        SignedAttestation calldata a = attestations[i];
        provider = a.provider;
        resultHash = a.resultHash;
        for (uint256 j; j < i; ++j) {
            if (attestations[j].provider == provider) revert SoukDuplicateProvider(orderHash, provider);
        }
        bytes32 digest = MessageHashUtils.toTypedDataHash(separator, _attestationHash(orderHash, resultHash));
        if (!_isValidSignature(provider, digest, a.signature)) revert SoukInvalidAttestation(orderHash, provider);
    }

    /// @dev Pays the right side of a dispute as {settleBatch} would, only while the order can still be charged at
    /// all (deadline not passed), its requester's balance covers `amount` and its model exists; returns whether it
    /// did. Emits {JobSettled} when it pays.
    function _payDispute(
        JobOrder calldata order,
        uint256 amount,
        bytes32 orderHash,
        bytes32 resultHash,
        bytes32 separator,
        address[] memory paid
    ) private returns (bool) {
        if (paid.length == 0 || block.timestamp > order.deadline) return false;
        if (_balances[order.currency][order.requester] < amount) return false;
        address creator;
        try agentNFT.creatorOf(order.modelId) returns (address c) {
            creator = c;
        } catch {
            return false; // an unknown model has no creator to pay: nobody is charged
        }
        Terms memory terms;
        terms.domainSeparator = separator;
        terms.providerBps = providerBps;
        terms.creatorBps = creatorBps;
        terms.treasury = treasury;
        uint256 each = _debitAndSplit(order, amount, paid.length, creator, terms);
        for (uint256 j; j < paid.length; ++j) {
            _credit(order.currency, paid[j], each);
        }
        emit JobSettled(orderHash, order.requester, order.modelId, order.currency, amount, resultHash, paid);
        return true;
    }

    /// @dev Debits `amount` from the requester and credits the creator and treasury shares; returns each of the
    /// `k` providers' share, which the caller credits. Requirements: 1 ≤ k; the requester's balance ≥ `amount`.
    function _debitAndSplit(JobOrder calldata order, uint256 amount, uint256 k, address creator, Terms memory terms)
        private
        returns (uint256 each)
    {
        address currency = order.currency;
        each = amount * terms.providerBps / 10_000 / k;
        uint256 creatorAmount = amount * terms.creatorBps / 10_000;
        uint256 treasuryAmount;
        // Cannot underflow: each * k + creatorAmount ≤ amount * (providerBps + creatorBps) / 10_000 ≤ amount, and
        // the caller checked the balance (≤ totalDeposits) covers amount.
        unchecked {
            treasuryAmount = amount - each * k - creatorAmount;
            _balances[currency][order.requester] -= amount;
            _totalDeposits[currency] -= amount;
        }
        _credit(currency, creator, creatorAmount);
        _credit(currency, terms.treasury, treasuryAmount);
    }

    /// @dev Marks `nonce` of `requester` used. Reverts {SoukNonceUsed} when it already was, or when an invalidation
    /// of it is in effect.
    function _useNonce(address requester, uint256 nonce) private {
        if (nonceUsed(requester, nonce)) revert SoukNonceUsed(requester, nonce);
        _markNonce(requester, nonce);
    }

    /// @dev Sets the bit of `nonce` in `requester`'s bitmap. Requirements: the caller checked {nonceUsed}.
    function _markNonce(address requester, uint256 nonce) private {
        // forge-lint: disable-next-line(incorrect-shift) -- bit `nonce & 255` of the word, as Permit2 does
        _nonceBitmaps[requester][nonce >> 8] |= 1 << (nonce & 0xff);
    }

    /// @dev Writes an invalidation in effect into `requester`'s bitmap word `wordPos` (the caller clears or replaces
    /// the pending request). Emits {NoncesInvalidated}.
    function _writeInvalidation(address requester, uint256 wordPos, uint256 mask) private {
        _nonceBitmaps[requester][wordPos] |= mask;
        emit NoncesInvalidated(requester, wordPos, mask);
    }

    /// @dev Whether `signature` is `signer`'s over `digest`: a 65-byte ECDSA signature recovering to `signer`, or,
    /// failing that, an ERC-1271 wallet at `signer` accepting it (with at most {ERC1271_GAS_LIMIT} gas and 32
    /// bytes of return data read). ECDSA is tried first so an EOA costs no code-size lookup.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        if (signer.code.length == 0) return false;
        bytes memory data = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        uint256 gasLimit = ERC1271_GAS_LIMIT;
        bool ok;
        bytes32 magic;
        assembly ("memory-safe") {
            // Only the first 32 bytes of return data are copied (to scratch space): no return-data bomb.
            ok := staticcall(gasLimit, signer, add(data, 0x20), mload(data), 0, 0x20)
            if lt(returndatasize(), 0x20) { ok := 0 }
            magic := mload(0)
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- an ERC-1271 answer is a bytes4 in the word's high bytes
        return ok && bytes4(magic) == IERC1271.isValidSignature.selector;
    }

    /// @dev EIP-712 struct hash of an order.
    function _structHash(JobOrder calldata order) private pure returns (bytes32) {
        return keccak256(abi.encode(JOB_ORDER_TYPEHASH, order));
    }

    /// @dev EIP-712 struct hash of a result attestation.
    function _attestationHash(bytes32 orderHash, bytes32 resultHash) private pure returns (bytes32) {
        return keccak256(abi.encode(RESULT_ATTESTATION_TYPEHASH, orderHash, resultHash));
    }

    function _setRevenueSplit(uint16 providerBps_, uint16 treasuryBps_, uint16 creatorBps_) private {
        if (uint256(providerBps_) + treasuryBps_ + creatorBps_ != 10_000) {
            revert SoukInvalidSplit(providerBps_, treasuryBps_, creatorBps_);
        }
        providerBps = providerBps_;
        treasuryBps = treasuryBps_;
        creatorBps = creatorBps_;
        emit RevenueSplitSet(providerBps_, treasuryBps_, creatorBps_);
    }

    function _setSlashAmount(uint256 amount) private {
        if (amount > type(uint96).max) revert SoukInvalidSlashAmount(amount);
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above
        slashAmount = uint96(amount);
        emit SlashAmountSet(amount);
    }

    function _setWithdrawalDelay(uint64 delay) private {
        if (delay < 1 minutes || delay > 30 days) revert SoukInvalidDuration(delay);
        withdrawalDelay = delay;
        emit WithdrawalDelaySet(delay);
    }

    function _setDisputePeriod(uint64 period) private {
        if (period < 1 hours || period > 30 days) revert SoukInvalidDuration(period);
        disputePeriod = period;
        emit DisputePeriodSet(period);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert SoukZeroAddress();
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }
}
