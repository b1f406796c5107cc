// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
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
/// @dev Where a per-job flow spends 3 + 2r transactions per job, this spends a share of one batch: per job three
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
/// + {disputePeriod}, and the node accepts deadlines at most {withdrawalDelay} away: so this contract pushes
/// {withdrawalDelay} + {disputePeriod} into the registry as the floor of its unbonding period
/// ({syncUnbondingFloor}, and on every change of either), and governance cannot shorten unbonding below it.
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
    /// @notice Slash reason: signed a result the referee found wrong.
    bytes32 public constant REASON_WRONG_RESULT = keccak256("souk.slash.wrong-result");
    /// @notice EIP-712 type hash of {JobOrder} (must match `jobOrderTypes` in `@souk/protocol`).
    bytes32 public constant JOB_ORDER_TYPEHASH = keccak256(
        "JobOrder(address requester,uint256 modelId,uint32 modelVersion,bytes32 inputHash,address currency,"
        "uint256 maxPrice,uint8 redundancy,uint8 verification,uint64 deadline,uint256 nonce)"
    );
    /// @notice EIP-712 type hash of a result attestation (must match `resultAttestationTypes` in `@souk/protocol`).
    bytes32 public constant RESULT_ATTESTATION_TYPEHASH =
        keccak256("ResultAttestation(bytes32 orderHash,bytes32 resultHash)");
    /// @dev Distinct (currency, payee) credits a batch accumulates in memory ({Ledger}); more are written at once.
    uint256 private constant LEDGER_SIZE = 16;
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
    /// found active (with what the batch owes each of them so far in one currency, added up without a search of
    /// the ledger) and the last model's creator. Neither can change within a batch (settlement makes no call that
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
        uint256[8] activeDue; // what the batch owes `active[k]`, in `activeDueCurrency[k]`, not yet in the ledger
        address[8] activeDueCurrency;
    }

    /// @dev What a batch owes storage, kept in memory and written once at its end: the payees repeat across a
    /// batch's jobs (the treasury in every one, the creator of each model, the same few providers), and so do the
    /// requester and its nonce word, so writing each once per batch instead of once per job saves a warm read and
    /// write (and their slot hashing) per credit, debit and nonce. Nothing else can write these slots meanwhile:
    /// the batch holds the reentrancy guard and makes only static calls (registry, collection, ERC-1271 wallets),
    /// which can read a figure the batch has not written yet but cannot act on it.
    /// - Credits: up to {LEDGER_SIZE} (account, currency, amount) entries; a payee beyond them is credited at once.
    ///   (The remembered providers' dues are added up in {Terms} first, the treasury's and creator's here.)
    /// - The requester being debited: its running balance and what the batch debited from it so far (written back,
    ///   and the next requester loaded, when the requester or the currency changes).
    /// - The requester's nonce word being used: its bitmap with the batch's bits set, and the bits of an
    ///   invalidation in effect (written back when the requester or the word changes).
    /// - The treasury's and the current model creator's dues in the current currency, added up without a search
    ///   (they change only when the currency or the creator does; then they move into the credit entries).
    /// A ledger starts all zero, which is the truth for the account it names: address(0) has no balance (deposits
    /// credit the sender or a non-zero account) and no nonce bits (nobody sends from it), so no "loaded" flag is
    /// needed.
    struct Ledger {
        uint256[] credits; // `count` entries of three words: account, currency, amount
        uint256 count;
        address debitCurrency;
        address debitAccount;
        uint256 balance;
        uint256 debited;
        address nonceAccount;
        uint256 nonceWord;
        uint256 bitmap;
        uint256 invalidated;
        bool nonceDirty;
        address dueCurrency;
        address dueCreator;
        uint256 treasuryDue;
        uint256 creatorDue;
    }

    /// @dev A batch entry decoded once from calldata by {_decode}, validated as the ABI decoder validates it, so
    /// that the checks and the settlement read memory words instead of re-validating calldata at each access (that
    /// re-validation cost more than a tenth of a job's gas). Dynamic members stay in calldata, as (offset, length).
    /// Field offsets are fixed: {_decode} writes them in assembly.
    struct Entry {
        bytes32 orderHash; // 0x000
        address requester; // 0x020
        uint256 modelId; // 0x040
        address currency; // 0x060
        uint256 maxPrice; // 0x080
        uint256 redundancy; // 0x0a0
        uint256 verification; // 0x0c0
        uint256 deadline; // 0x0e0
        uint256 nonce; // 0x100
        uint256 amount; // 0x120
        bytes32 resultHash; // 0x140
        uint256 requesterSignature; // 0x160: calldata offset of the signature's bytes
        uint256 requesterSignatureLength; // 0x180
        uint256 providers; // 0x1a0: calldata offset of `providers[0]`
        uint256 providerCount; // 0x1c0
        uint256 signatures; // 0x1e0: calldata offset of `providerSignatures`' heads (element offsets count from it)
        uint256 signatureCount; // 0x200
        address[MAX_REDUNDANCY] providerList; // the providers `_check` read (and checked clean), in order
        uint256[MAX_REDUNDANCY] providerSlot; // each one's index in `Terms.active`, 8 when not remembered
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
        Ledger memory ledger;
        ledger.credits = new uint256[](3 * LEDGER_SIZE);
        Entry memory e; // reused by every entry: decoding allocates nothing per entry
        for (uint256 i; i < batch.length; ++i) {
            Settlement calldata s;
            // batch[i] without Solidity's accessor, which validates the entry's head again: `_decode` checks the
            // head lies inside calldata (here only the offset is bounded, so the addition cannot wrap).
            assembly ("memory-safe") {
                let offset := calldataload(add(batch.offset, shl(5, i)))
                if gt(offset, 0xffffffffffffffff) { revert(0, 0) }
                s := add(batch.offset, offset)
            }
            _decode(s, e, terms.domainSeparator);
            (bytes4 reason, address creator) = _check(e, terms, ledger);
            if (reason != bytes4(0)) {
                emit JobSkipped(e.orderHash, reason);
                continue;
            }
            _settleEntry(e, creator, terms, ledger);
            ++settled;
        }
        _flushNonceWord(ledger);
        _flushDebit(ledger);
        _flushDues(ledger, terms.treasury);
        for (uint256 k; k < terms.activeCount; ++k) {
            _flushActiveDue(terms, ledger, k, address(0));
        }
        _flushLedger(ledger);
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
        _pushUnbondingFloor();
    }

    /// @notice Governance: seconds after an order's deadline during which the referee may slash (1 hour..30 days).
    /// Emits {DisputePeriodSet}. Reverts {SoukInvalidDuration}.
    function setDisputePeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDisputePeriod(period);
        _pushUnbondingFloor();
    }

    /// @notice Pushes {withdrawalDelay} + {disputePeriod} (seconds) into the registry as the floor of its unbonding
    /// period, so a provider cannot unbond and withdraw while an order it signed can still be disputed. Anyone may
    /// call it (the deployment calls it once this contract holds the registry's SLASHER_ROLE); the two setters
    /// above call it on every change. @dev Reverts with the registry's {SoukUnbondingPeriodTooShort} when its
    /// unbonding period is shorter than the floor, and with AccessControl's error when this contract lacks
    /// SLASHER_ROLE there. Emits the registry's {MinUnbondingPeriodSet}.
    function syncUnbondingFloor() external {
        _pushUnbondingFloor();
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

    /// @dev Decodes batch entry `s` into `e` and computes its order hash (EIP-712 digest under `separator`).
    /// Reverts, as the ABI decoder would, when the entry does not decode: its head or a dynamic member out of
    /// calldata, an offset or length above 2^64 − 1, or a field narrower than a word with dirty high bits. Each
    /// provider (an address) is checked clean when read ({_scanProvider}), each signature's bounds when read
    /// ({_signatureAt}). Written in assembly: the Solidity accessors re-validate calldata at every access.
    function _decode(Settlement calldata s, Entry memory e, bytes32 separator) private pure {
        bytes32 typeHash = JOB_ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let end := calldatasize()
            // A dynamic member at head word `head` of the tuple at `base`: (offset of its data, its length), the
            // data (`len` units of `unit` bytes) inside calldata.
            function tail(base, head, unit, end_) -> data, len {
                let offset := calldataload(head)
                let p := add(base, and(offset, 0xffffffffffffffff))
                len := calldataload(p)
                data := add(p, 0x20)
                let outside := gt(add(data, mul(len, unit)), end_)
                if or(or(gt(offset, 0xffffffffffffffff), gt(len, 0xffffffffffffffff)), outside) { revert(0, 0) }
            }
            // Head: the order's 10 words, then requesterSignature, amount, resultHash, providers,
            // providerSignatures.
            if gt(add(s, 0x1e0), end) { revert(0, 0) }
            let requester := calldataload(s)
            let currency := calldataload(add(s, 0x80))
            let redundancy := calldataload(add(s, 0xc0))
            let verification := calldataload(add(s, 0xe0))
            let deadline := calldataload(add(s, 0x100))
            let dirty := or(shr(160, requester), shr(160, currency))
            dirty := or(dirty, or(shr(8, redundancy), shr(8, verification)))
            dirty := or(dirty, or(shr(64, deadline), shr(32, calldataload(add(s, 0x40))))) // modelVersion
            if dirty { revert(0, 0) }
            // orderHash = keccak256("\x19\x01" ‖ separator ‖ keccak256(typeHash ‖ order)), as
            // MessageHashUtils.toTypedDataHash(separator, _structHash(order)), in unallocated scratch memory.
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), s, 0x140)
            let structHash := keccak256(m, 0x160)
            mstore(m, hex"1901")
            mstore(add(m, 0x02), separator)
            mstore(add(m, 0x22), structHash)
            mstore(e, keccak256(m, 0x42))
            mstore(add(e, 0x20), requester)
            mstore(add(e, 0x40), calldataload(add(s, 0x20))) // modelId
            mstore(add(e, 0x60), currency)
            mstore(add(e, 0x80), calldataload(add(s, 0xa0))) // maxPrice
            mstore(add(e, 0xa0), redundancy)
            mstore(add(e, 0xc0), verification)
            mstore(add(e, 0xe0), deadline)
            mstore(add(e, 0x100), calldataload(add(s, 0x120))) // nonce
            mstore(add(e, 0x120), calldataload(add(s, 0x160))) // amount
            mstore(add(e, 0x140), calldataload(add(s, 0x180))) // resultHash
            let data, len := tail(s, add(s, 0x140), 1, end)
            mstore(add(e, 0x160), data)
            mstore(add(e, 0x180), len)
            data, len := tail(s, add(s, 0x1a0), 0x20, end)
            mstore(add(e, 0x1a0), data)
            mstore(add(e, 0x1c0), len)
            data, len := tail(s, add(s, 0x1c0), 0x20, end)
            mstore(add(e, 0x1e0), data)
            mstore(add(e, 0x200), len)
        }
    }

    /// @dev `providerSignatures[i]` of a decoded entry (`i` < its signature count), as a calldata slice. Reverts
    /// when its offset or length is above 2^64 − 1 or its bytes are outside calldata.
    function _signatureAt(Entry memory e, uint256 i) private pure returns (bytes calldata signature) {
        uint256 heads = e.signatures;
        assembly ("memory-safe") {
            let offset := calldataload(add(heads, shl(5, i)))
            let p := add(heads, and(offset, 0xffffffffffffffff))
            let len := calldataload(p)
            let outside := gt(add(add(p, 0x20), len), calldatasize())
            if or(or(gt(offset, 0xffffffffffffffff), gt(len, 0xffffffffffffffff)), outside) { revert(0, 0) }
            signature.offset := add(p, 0x20)
            signature.length := len
        }
    }

    /// @dev The requester's signature of a decoded entry, as a calldata slice ({_decode} checked its bounds).
    function _requesterSignature(Entry memory e) private pure returns (bytes calldata signature) {
        (uint256 offset, uint256 length) = (e.requesterSignature, e.requesterSignatureLength);
        assembly ("memory-safe") {
            signature.offset := offset
            signature.length := length
        }
    }

    /// @dev The first failing check of a decoded batch entry, as its error's selector (zero when valid), and the
    /// model's creator. Checks the cheap fields before the signatures: deadline, verification class, redundancy,
    /// provider and signature count, amount ≤ maxPrice, nonce, balance (the last two against the batch's ledger),
    /// the requester's signature, then per provider: distinct, active, attestation; then the model's existence.
    function _check(Entry memory e, Terms memory terms, Ledger memory ledger)
        private
        returns (bytes4 reason, address creator)
    {
        if (block.timestamp > e.deadline) return (SoukOrderExpired.selector, address(0));
        if (e.verification > VERIFICATION_TOLERANCE) return (SoukUnsupportedVerification.selector, address(0));
        uint256 r = e.redundancy;
        if (r == 0 || r > MAX_REDUNDANCY) return (SoukInvalidRedundancy.selector, address(0));
        if (e.providerCount != r || e.signatureCount != r) return (SoukWrongProviderCount.selector, address(0));
        if (e.amount > e.maxPrice) return (SoukPriceAboveMax.selector, address(0));
        address requester = e.requester;
        if (_batchNonceUsed(ledger, requester, e.nonce)) return (SoukNonceUsed.selector, address(0));
        if (_batchBalance(ledger, e.currency, requester) < e.amount) {
            return (SoukInsufficientBalance.selector, address(0));
        }
        bytes calldata requesterSignature = _requesterSignature(e);
        bytes32 orderHash = e.orderHash;
        // `_recovers` first: the EOA case without `_isValidSignature`'s call frame (which, failing, tries it again
        // before the ERC-1271 fallback: only an invalid or a contract signature pays twice).
        if (
            !_recovers(requester, orderHash, requesterSignature)
                && !_isValidSignature(requester, orderHash, requesterSignature)
        ) {
            return (SoukInvalidRequesterSignature.selector, address(0));
        }
        bytes32 digest = _attestationDigest(terms.domainSeparator, e.orderHash, e.resultHash);
        bytes4 providerReason = _checkProviders(e, terms, digest, r);
        if (providerReason != bytes4(0)) return (providerReason, address(0));
        uint256 modelId = e.modelId;
        if (terms.modelId == modelId && terms.creator != address(0)) return (bytes4(0), terms.creator);
        try agentNFT.creatorOf(modelId) returns (address c) {
            creator = c;
        } catch {
            return (SoukUnknownModel.selector, address(0));
        }
        (terms.modelId, terms.creator) = (modelId, creator);
    }

    /// @dev `_check`'s checks of each of the `r` providers, in order: distinct, active, its attestation signed.
    /// Records each in `e.providerList` and its index among the remembered active ones in `e.providerSlot`.
    function _checkProviders(Entry memory e, Terms memory terms, bytes32 digest, uint256 r)
        private
        view
        returns (bytes4)
    {
        uint256[MAX_REDUNDANCY] memory slots = e.providerSlot;
        for (uint256 i; i < r; ++i) {
            (address provider, bool duplicate, uint256 slot) = _scanProvider(e, terms, i);
            if (duplicate) return SoukDuplicateProvider.selector;
            if (slot == 8) {
                bool isActive;
                (isActive, slot) = _activate(terms, provider);
                if (!isActive) return SoukProviderNotActive.selector;
            }
            assembly ("memory-safe") {
                mstore(add(slots, shl(5, i)), slot) // i < r ≤ MAX_REDUNDANCY
            }
            bytes calldata signature = _signatureAt(e, i);
            if (!_recovers(provider, digest, signature) && !_isValidSignature(provider, digest, signature)) {
                return SoukInvalidAttestation.selector;
            }
        }
        return bytes4(0);
    }

    /// @dev Reads `providers[i]` of a decoded entry (`i` < its count), reverting when it is not an address (as the
    /// ABI decoder would); whether it is among `providers[0..i)` (recorded in `e.providerList`, where it is then
    /// recorded); and its index among the providers this batch already found active (8 when not among them). In
    /// one block, without Solidity's bounds checks (i < r ≤ MAX_REDUNDANCY, activeCount ≤ 8).
    function _scanProvider(Entry memory e, Terms memory terms, uint256 i)
        private
        pure
        returns (address provider, bool duplicate, uint256 slot)
    {
        address[MAX_REDUNDANCY] memory list = e.providerList;
        address[8] memory active = terms.active;
        uint256 base = e.providers;
        uint256 n = terms.activeCount;
        slot = 8;
        assembly ("memory-safe") {
            provider := calldataload(add(base, shl(5, i)))
            if shr(160, provider) { revert(0, 0) }
            let at := add(list, shl(5, i))
            for { let p := list } lt(p, at) { p := add(p, 0x20) } {
                if eq(mload(p), provider) {
                    duplicate := 1
                    break
                }
            }
            mstore(at, provider)
            for { let k := 0 } lt(k, n) { k := add(k, 1) } {
                if eq(mload(add(active, shl(5, k))), provider) {
                    slot := k
                    break
                }
            }
        }
    }

    /// @dev Whether `provider`, not among the providers this batch already found active, is active in the
    /// registry; if so it is remembered (up to 8) and its index among them returned (8 when not remembered).
    function _activate(Terms memory terms, address provider) private view returns (bool, uint256 slot) {
        if (!registry.isActive(provider)) return (false, 8);
        uint256 n = terms.activeCount;
        if (n == 8) return (true, 8);
        terms.active[n] = provider;
        terms.activeCount = n + 1;
        return (true, n);
    }

    /// @dev {nonceUsed} within a batch: whether `nonce` of `requester` was used (before or earlier in this batch)
    /// or is invalidated by an invalidation in effect. Loads the nonce's word into the ledger, first writing the
    /// word held so far (with the batch's bits) when it is another one.
    function _batchNonceUsed(Ledger memory ledger, address requester, uint256 nonce) private returns (bool) {
        uint256 wordPos = nonce >> 8;
        if (requester != ledger.nonceAccount || wordPos != ledger.nonceWord) {
            _flushNonceWord(ledger);
            ledger.nonceAccount = requester;
            ledger.nonceWord = wordPos;
            ledger.bitmap = _nonceBitmaps[requester][wordPos];
            NonceInvalidation storage pending = _nonceInvalidations[requester][wordPos];
            uint256 mask = pending.mask;
            ledger.invalidated = mask != 0 && block.timestamp >= pending.effectiveAt ? mask : 0;
        }
        // forge-lint: disable-next-line(incorrect-shift) -- bit `nonce & 255` of the word, as Permit2 does
        return (ledger.bitmap | ledger.invalidated) & (1 << (nonce & 0xff)) != 0;
    }

    /// @dev `requester`'s balance of `currency` within a batch: the running balance when it is the requester the
    /// ledger is debiting, else its stored balance, which becomes the ledger's (the previous requester's debit is
    /// written first).
    function _batchBalance(Ledger memory ledger, address currency, address requester) private returns (uint256) {
        if (requester == ledger.debitAccount && currency == ledger.debitCurrency) return ledger.balance;
        _flushDebit(ledger);
        (ledger.debitAccount, ledger.debitCurrency) = (requester, currency);
        return ledger.balance = _balances[currency][requester];
    }

    /// @dev Settles a batch entry `_check` found valid, in the ledger: uses its nonce, debits the requester and
    /// credits the treasury, the creator and each provider. Emits {JobSettled}.
    function _settleEntry(Entry memory e, address creator, Terms memory terms, Ledger memory ledger) private {
        // `_check` loaded the requester's nonce word and balance into the ledger, and found the nonce neither used
        // nor invalidated and the balance covering the amount.
        // forge-lint: disable-next-line(incorrect-shift) -- bit `nonce & 255` of the word, as Permit2 does
        ledger.bitmap |= 1 << (e.nonce & 0xff);
        ledger.nonceDirty = true;
        uint256 amount = e.amount;
        // Cannot underflow: `_check` found the running balance ≥ amount (and it is part of totalDeposits).
        unchecked {
            ledger.balance -= amount;
            ledger.debited += amount;
        }
        uint256 r = e.providerCount;
        address currency = e.currency;
        (uint256 each, uint256 creatorAmount, uint256 treasuryAmount) = _split(amount, r, terms);
        if (currency != ledger.dueCurrency || creator != ledger.dueCreator) {
            _flushDues(ledger, terms.treasury);
            (ledger.dueCurrency, ledger.dueCreator) = (currency, creator);
        }
        // Cannot overflow: the dues sum to part of what the batch debited from balances, which this contract holds.
        unchecked {
            ledger.treasuryDue += treasuryAmount;
            ledger.creatorDue += creatorAmount;
        }
        address[MAX_REDUNDANCY] memory list = e.providerList;
        uint256[MAX_REDUNDANCY] memory slots = e.providerSlot;
        uint256[8] memory dues = terms.activeDue;
        address[8] memory dueCurrencies = terms.activeDueCurrency;
        for (uint256 j; j < r; ++j) {
            uint256 slot;
            assembly ("memory-safe") {
                slot := mload(add(slots, shl(5, j))) // j < r ≤ MAX_REDUNDANCY
            }
            if (slot == 8) {
                _accrue(ledger, currency, list[j], each);
                continue;
            }
            bool sameCurrency;
            // slot < 8: the remembered provider's due, without Solidity's bounds checks.
            assembly ("memory-safe") {
                let o := shl(5, slot)
                sameCurrency := eq(mload(add(dueCurrencies, o)), currency)
                // Cannot overflow: part of what the batch debited from balances, which this contract holds.
                if sameCurrency { mstore(add(dues, o), add(mload(add(dues, o)), each)) }
            }
            if (!sameCurrency) {
                _flushActiveDue(terms, ledger, slot, currency);
                dues[slot] = each;
            }
        }
        _emitJobSettled(e);
    }

    /// @dev Emits {JobSettled} for a decoded entry as `emit` would, copying `providers` straight from calldata
    /// (each was checked clean by `_check`) into unallocated scratch memory at the free pointer.
    function _emitJobSettled(Entry memory e) private {
        bytes32 topic0 = JobSettled.selector;
        assembly ("memory-safe") {
            // data: (address currency, uint256 amount, bytes32 resultHash, address[] providers)
            let m := mload(0x40)
            let n := mload(add(e, 0x1c0))
            mstore(m, mload(add(e, 0x60)))
            mstore(add(m, 0x20), mload(add(e, 0x120)))
            mstore(add(m, 0x40), mload(add(e, 0x140)))
            mstore(add(m, 0x60), 0x80)
            mstore(add(m, 0x80), n)
            calldatacopy(add(m, 0xa0), mload(add(e, 0x1a0)), shl(5, n))
            // topics: orderHash, requester, modelId
            log4(m, add(0xa0, shl(5, n)), topic0, mload(e), mload(add(e, 0x20)), mload(add(e, 0x40)))
        }
    }

    /// @dev Adds `amount` of `currency` to `account`'s entry in the ledger (a new entry when it has none; a direct
    /// credit when the ledger is full). The search of the (at most {LEDGER_SIZE}) three-word entries is in
    /// assembly, without Solidity's bounds checks.
    function _accrue(Ledger memory ledger, address currency, address account, uint256 amount) private {
        uint256[] memory table = ledger.credits;
        uint256 n = ledger.count;
        bool found;
        assembly ("memory-safe") {
            let end := add(add(table, 0x20), mul(n, 0x60))
            for { let p := add(table, 0x20) } lt(p, end) { p := add(p, 0x60) } {
                if and(eq(mload(p), account), eq(mload(add(p, 0x20)), currency)) {
                    // Cannot overflow: the ledger's amounts sum to what the batch debited from balances, which
                    // this contract holds.
                    mstore(add(p, 0x40), add(mload(add(p, 0x40)), amount))
                    found := 1
                    break
                }
            }
        }
        if (found) return;
        if (n == LEDGER_SIZE) return _credit(currency, account, amount);
        unchecked {
            (table[3 * n], table[3 * n + 1], table[3 * n + 2]) =
                (uint256(uint160(account)), uint256(uint160(currency)), amount);
            ledger.count = n + 1;
        }
    }

    /// @dev Moves what the batch owes remembered provider `slot` into the ledger's entries, and makes `currency`
    /// the currency of its next dues.
    function _flushActiveDue(Terms memory terms, Ledger memory ledger, uint256 slot, address currency) private {
        uint256 due = terms.activeDue[slot];
        if (due != 0) _accrue(ledger, terms.activeDueCurrency[slot], terms.active[slot], due);
        (terms.activeDue[slot], terms.activeDueCurrency[slot]) = (0, currency);
    }

    /// @dev Moves the treasury's and the creator's dues (in `ledger.dueCurrency`) into the ledger's entries.
    function _flushDues(Ledger memory ledger, address treasury_) private {
        address currency = ledger.dueCurrency;
        if (ledger.treasuryDue != 0) _accrue(ledger, currency, treasury_, ledger.treasuryDue);
        if (ledger.creatorDue != 0) _accrue(ledger, currency, ledger.dueCreator, ledger.creatorDue);
        (ledger.treasuryDue, ledger.creatorDue) = (0, 0);
    }

    /// @dev Writes the ledger's credits to storage (with {totalCredits}).
    function _flushLedger(Ledger memory ledger) private {
        uint256[] memory table = ledger.credits;
        for (uint256 k; k < ledger.count; ++k) {
            _credit(address(uint160(table[3 * k + 1])), address(uint160(table[3 * k])), table[3 * k + 2]);
        }
    }

    /// @dev Writes the debited requester's running balance (and the debit to {totalDeposits}), if it was debited.
    function _flushDebit(Ledger memory ledger) private {
        uint256 debited = ledger.debited;
        if (debited == 0) return;
        address currency = ledger.debitCurrency;
        _balances[currency][ledger.debitAccount] = ledger.balance;
        // Cannot underflow: the requester's balance, part of totalDeposits, covered every debit.
        unchecked {
            _totalDeposits[currency] -= debited;
        }
        ledger.debited = 0;
    }

    /// @dev Writes the nonce word held by the ledger (with the bits the batch used), if the batch used any.
    function _flushNonceWord(Ledger memory ledger) private {
        if (!ledger.nonceDirty) return;
        _nonceBitmaps[ledger.nonceAccount][ledger.nonceWord] = ledger.bitmap;
        ledger.nonceDirty = false;
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
        uint256 creatorAmount;
        uint256 treasuryAmount;
        (each, creatorAmount, treasuryAmount) = _split(amount, k, terms);
        // Cannot underflow: the caller checked the balance (≤ totalDeposits) covers amount.
        unchecked {
            _balances[currency][order.requester] -= amount;
            _totalDeposits[currency] -= amount;
        }
        _credit(currency, creator, creatorAmount);
        _credit(currency, terms.treasury, treasuryAmount);
    }

    /// @dev The split of `amount` among `k` providers (each), the creator and the treasury (its share and the
    /// rounding dust): `each * k + creatorAmount + treasuryAmount == amount`. Requirements: 1 ≤ k.
    function _split(uint256 amount, uint256 k, Terms memory terms)
        private
        pure
        returns (uint256 each, uint256 creatorAmount, uint256 treasuryAmount)
    {
        // amount * bps can overflow only when amount > type(uint256).max / 10_000 (each bps ≤ 10_000): there the
        // split reverts with the arithmetic-overflow panic checked arithmetic gave; below it, unchecked is exact.
        if (amount > type(uint256).max / 10_000) {
            assembly ("memory-safe") {
                mstore(0x00, 0x4e487b71) // Panic(uint256)
                mstore(0x20, 0x11) // arithmetic overflow
                revert(0x1c, 0x24)
            }
        }
        // Cannot underflow: each * k + creatorAmount ≤ amount * (providerBps + creatorBps) / 10_000 ≤ amount. k ≥ 1.
        unchecked {
            each = amount * terms.providerBps / 10_000 / k;
            creatorAmount = amount * terms.creatorBps / 10_000;
            treasuryAmount = amount - each * k - creatorAmount;
        }
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
        if (_recovers(signer, digest, signature)) return true;
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

    /// @dev Whether the 65-byte ECDSA `signature` (r ‖ s ‖ v) of `digest` recovers to `signer` (never zero): what
    /// OpenZeppelin's `ECDSA.tryRecoverCalldata` accepts (s in the lower half order; v 27 or 28, the precompile
    /// answering nothing otherwise), without its error plumbing, which cost ~250 gas per signature, three per job.
    function _recovers(address signer, bytes32 digest, bytes calldata signature) private view returns (bool ok) {
        assembly ("memory-safe") {
            if eq(signature.length, 65) {
                let s := calldataload(add(signature.offset, 0x20))
                if iszero(gt(s, 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0)) {
                    let m := mload(0x40) // unallocated scratch
                    mstore(m, digest)
                    mstore(add(m, 0x20), byte(0, calldataload(add(signature.offset, 0x40))))
                    mstore(add(m, 0x40), calldataload(signature.offset))
                    mstore(add(m, 0x60), s)
                    // ecrecover (precompile 0x01) returns 32 bytes for a valid signature, nothing otherwise.
                    if staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20) {
                        let recovered := mload(0x00)
                        ok := and(eq(returndatasize(), 0x20), and(eq(recovered, signer), iszero(iszero(recovered))))
                    }
                }
            }
        }
    }

    /// @dev EIP-712 struct hash of an order.
    function _structHash(JobOrder calldata order) private pure returns (bytes32) {
        return keccak256(abi.encode(JOB_ORDER_TYPEHASH, order));
    }

    /// @dev The EIP-712 digest a provider signs: `MessageHashUtils.toTypedDataHash(separator,
    /// _attestationHash(orderHash, resultHash))` in one block of scratch memory (unallocated).
    function _attestationDigest(bytes32 separator, bytes32 orderHash, bytes32 resultHash)
        private
        pure
        returns (bytes32 digest)
    {
        bytes32 typeHash = RESULT_ATTESTATION_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), orderHash)
            mstore(add(m, 0x40), resultHash)
            let structHash := keccak256(m, 0x60)
            mstore(m, hex"1901")
            mstore(add(m, 0x02), separator)
            mstore(add(m, 0x22), structHash)
            digest := keccak256(m, 0x42)
        }
    }

    /// @dev EIP-712 struct hash of a result attestation.
    function _attestationHash(bytes32 orderHash, bytes32 resultHash) private pure returns (bytes32 h) {
        bytes32 typeHash = RESULT_ATTESTATION_TYPEHASH;
        // keccak256(abi.encode(typeHash, orderHash, resultHash)) in scratch memory at the free pointer, unallocated.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), orderHash)
            mstore(add(m, 0x40), resultHash)
            h := keccak256(m, 0x60)
        }
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

    function _pushUnbondingFloor() private {
        registry.setMinUnbondingPeriod(withdrawalDelay + disputePeriod);
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
