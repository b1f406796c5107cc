// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {IComputeMarket} from "./interfaces/IComputeMarket.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {Governed} from "./utils/Governed.sol";
import {Payouts} from "./utils/Payouts.sol";

/// @title ComputeMarket
/// @notice Escrow, commit–reveal verification and settlement of Souk compute jobs.
/// @dev Assignment model: a scheduler role (the Souk node) assigns providers, because scoring (spec fit,
/// reputation, price, load, latency, stake) happens off-chain and first-come slot claiming would reward the fastest
/// mempool watcher rather than the best provider; the contract still checks every assignee is active (staked) and
/// distinct. Commit–reveal: reveals open only after all r commits are in, and each commitment binds the provider's
/// address, so no provider can copy another's output. Every status change goes through {_transition}.
///
/// Random audits: agreement between r providers proves nothing at r = 1, and little if they collude, so the referee
/// (the node) re-executes a fraction p of agreeing jobs and {challenge}s those whose result differs, which the
/// existing dispute path then settles by slashing. With slash amount S, a provider faking a result on a job paying
/// P gains at most P and loses S with probability at least p, so cheating does not pay when S ≥ P / p
/// (stake ≥ payment / audit rate); the node operator sets p. Audits bind because {finalize} is the scheduler's
/// alone until the reveal window ends: nobody else can pay a job out while the referee may still audit it.
///
/// Settlement (bps governed, summing to 10,000; default 8,000 / 1,500 / 500): each agreeing provider gets
/// `reward * providerBps / 10_000 / k` (k agreeing providers), the creator `reward * creatorBps / 10_000`, and the
/// treasury the remainder — its own share plus all rounding dust, so the escrow is always paid out to the wei.
///
/// Gas per job is O(r) with r ≤ 5 and independent of how many jobs are open: no function iterates over jobs.
/// Money invariant: this contract's balance of each currency equals {totalEscrowed} + {totalCredits}.
contract ComputeMarket is IComputeMarket, Governed, Payouts, ReentrancyGuardTransient {
    /// @notice Role that assigns and reassigns providers (the node's scheduler).
    bytes32 public constant SCHEDULER_ROLE = keccak256("SCHEDULER_ROLE");
    /// @notice Role that settles disputes and challenges agreeing jobs (audits) after re-executing them.
    bytes32 public constant REFEREE_ROLE = keccak256("REFEREE_ROLE");
    /// @notice Largest redundancy r.
    uint8 public constant MAX_REDUNDANCY = 5;
    /// @notice Slash reason: revealed a result the referee found wrong.
    bytes32 public constant REASON_WRONG_RESULT = keccak256("souk.slash.wrong-result");
    /// @notice Slash reason: assigned, never committed before the deadline.
    bytes32 public constant REASON_NO_COMMIT = keccak256("souk.slash.no-commit");
    /// @notice Slash reason: committed, never revealed before the deadline.
    bytes32 public constant REASON_NO_REVEAL = keccak256("souk.slash.no-reveal");

    /// @notice The asset collection whose creators earn the creator share.
    IAgentNFT public immutable agentNFT;
    /// @notice Where providers' stake, slashing and reputation live.
    IProviderRegistry public immutable registry;

    uint16 public providerBps;
    uint16 public treasuryBps;
    uint16 public creatorBps;
    uint64 public disputePeriod;
    uint64 public maxJobDuration;
    /// @notice Seconds providers always have to reveal once the last commit is in (the reveal window).
    uint64 public revealPeriod;
    address public treasury;
    /// @notice SOUK wei slashed per fault (capped by what the provider has bonded).
    uint256 public slashAmount;

    uint256 private _jobCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(uint256 slot => address provider)) private _slots;
    mapping(uint256 jobId => mapping(address provider => Assignment)) private _assignments;
    mapping(address currency => uint256) private _escrowed;

    /// @notice Deployment parameters.
    /// @param admin Governance (timelock), or the deployer until it hands over.
    /// @param guardian Pauser; zero for none.
    /// @param treasury Receiver of the treasury share.
    /// @param slashAmount SOUK wei per fault.
    /// @param disputePeriod Seconds a referee has after the deadline before a dispute can be refunded.
    /// @param maxJobDuration Longest deadline from submission, seconds.
    /// @param revealPeriod Seconds every provider has to reveal after the last commit lands.
    struct Config {
        address admin;
        address guardian;
        address treasury;
        uint256 slashAmount;
        uint64 disputePeriod;
        uint64 maxJobDuration;
        uint64 revealPeriod;
    }

    /// @param nft The AgentNFT collection.
    /// @param registry_ The ProviderRegistry (this contract needs its SLASHER_ROLE and REPORTER_ROLE).
    /// @param config See {Config}. Split starts at 8,000 / 1,500 / 500 bps.
    constructor(IAgentNFT nft, IProviderRegistry registry_, Config memory config)
        Governed(config.admin, config.guardian)
    {
        agentNFT = nft;
        registry = registry_;
        _setTreasury(config.treasury);
        _setRevenueSplit(8_000, 1_500, 500);
        slashAmount = config.slashAmount;
        emit SlashAmountSet(config.slashAmount);
        _setDisputePeriod(config.disputePeriod);
        _setMaxJobDuration(config.maxJobDuration);
        _setRevealPeriod(config.revealPeriod);
    }

    // ───────────────────────────── requester ─────────────────────────────

    /// @inheritdoc IComputeMarket
    function submitJob(
        uint256 modelId,
        bytes32 inputHash,
        uint256 reward,
        address currency,
        uint8 redundancy,
        uint40 deadline
    ) external payable whenNotPaused nonReentrant returns (uint256 jobId) {
        if (redundancy == 0 || redundancy > MAX_REDUNDANCY) revert SoukInvalidRedundancy(redundancy);
        uint256 latest = block.timestamp + maxJobDuration;
        if (deadline <= block.timestamp || deadline > latest) revert SoukInvalidDeadline(deadline, latest);
        if (reward == 0 || reward > type(uint96).max) revert SoukInvalidReward(reward);
        // Reverts ERC721NonexistentToken for an unknown asset; datasets are inputs, not something to run.
        if (agentNFT.kindOf(modelId) == IAgentNFT.AssetKind.Dataset) revert SoukAssetNotRunnable(modelId);

        jobId = ++_jobCount;
        Job storage job = _jobs[jobId];
        job.requester = msg.sender;
        job.deadline = deadline;
        job.redundancy = redundancy;
        job.currency = currency;
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above: reward ≤ type(uint96).max
        job.reward = uint96(reward);
        job.modelId = modelId;
        job.inputHash = inputHash;
        _escrowed[currency] += reward;
        emit JobSubmitted(jobId, msg.sender, modelId, inputHash, currency, reward, redundancy, deadline);
        _transition(jobId, job, JobStatus.Open);

        _collect(currency, msg.sender, reward);
    }

    /// @inheritdoc IComputeMarket
    function cancelJob(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        if (job.requester != msg.sender) revert SoukNotRequester(jobId, msg.sender);
        _requireStatus(jobId, job, JobStatus.Open);
        _refund(jobId, job);
    }

    // ───────────────────────────── scheduler ─────────────────────────────

    /// @inheritdoc IComputeMarket
    function assignProviders(uint256 jobId, address[] calldata providers)
        external
        onlyRole(SCHEDULER_ROLE)
        whenNotPaused
    {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job, JobStatus.Open);
        _requireBeforeDeadline(jobId, job);
        if (providers.length != job.redundancy) {
            revert SoukWrongProviderCount(jobId, providers.length, job.redundancy);
        }
        for (uint256 i; i < providers.length; ++i) {
            _assign(jobId, i, providers[i]);
        }
        _transition(jobId, job, JobStatus.Assigned);
    }

    /// @inheritdoc IComputeMarket
    function reassignProvider(uint256 jobId, address previous, address replacement)
        external
        onlyRole(SCHEDULER_ROLE)
    {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job, JobStatus.Assigned);
        _requireBeforeDeadline(jobId, job);
        Assignment storage old = _assignments[jobId][previous];
        if (!old.assigned) revert SoukNotAssigned(jobId, previous);
        if (old.commitment != 0) revert SoukAlreadyCommitted(jobId, previous);
        if (replacement == previous) revert SoukProviderAlreadyAssigned(jobId, previous);
        uint256 slot;
        while (_slots[jobId][slot] != previous) ++slot; // found within r ≤ 5 slots: `previous` is assigned
        delete _assignments[jobId][previous];
        _assign(jobId, slot, replacement);
        emit ProviderReassigned(jobId, previous, replacement);
        registry.recordResult(previous, false);
    }

    // ───────────────────────────── providers ─────────────────────────────

    /// @inheritdoc IComputeMarket
    function commitResult(uint256 jobId, bytes32 commitment) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job, JobStatus.Assigned);
        _requireBeforeDeadline(jobId, job);
        Assignment storage a = _requireAssigned(jobId, msg.sender);
        if (commitment == 0) revert SoukZeroHash();
        if (a.commitment != 0) revert SoukAlreadyCommitted(jobId, msg.sender);
        a.commitment = commitment;
        uint8 committed = ++job.committedCount;
        emit ResultCommitted(jobId, msg.sender, commitment);
        if (committed == job.redundancy) {
            // Open the reveal window: a commit landing at the last second must not leave the others without time
            // to reveal (they would be slashed for it), so reveals run until at least now + revealPeriod.
            uint256 revealDeadline = block.timestamp + revealPeriod;
            // forge-lint: disable-next-line(unsafe-typecast) -- a Unix time in seconds fits 40 bits until year 36812
            if (revealDeadline > job.deadline) job.deadline = uint40(revealDeadline);
            _transition(jobId, job, JobStatus.Revealing);
        }
    }

    /// @inheritdoc IComputeMarket
    function revealResult(uint256 jobId, bytes32 resultHash, bytes32 salt) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job, JobStatus.Revealing);
        _requireBeforeDeadline(jobId, job);
        Assignment storage a = _requireAssigned(jobId, msg.sender);
        if (resultHash == 0) revert SoukZeroHash();
        if (a.result != 0) revert SoukAlreadyRevealed(jobId, msg.sender);
        if (_commitment(resultHash, salt, msg.sender) != a.commitment) revert SoukCommitmentMismatch(jobId, msg.sender);
        a.result = resultHash;
        uint8 revealed = ++job.revealedCount;
        if (revealed == 1) job.resultHash = resultHash;
        else if (resultHash != job.resultHash) job.disagreement = true;
        emit ResultRevealed(jobId, msg.sender, resultHash);
        if (revealed == job.redundancy && job.disagreement) {
            job.resultHash = 0;
            _transition(jobId, job, JobStatus.Disputed);
        }
    }

    // ───────────────────────────── settlement ─────────────────────────────

    /// @inheritdoc IComputeMarket
    function finalize(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireAllRevealed(jobId, job);
        // The reveal window belongs to the referee's audit: only the scheduler (the same node, which has audited or
        // chosen not to) may pay out before it ends. The deadline shares a slot with the status just read, so the
        // role lookup is paid only inside the window.
        if (block.timestamp <= job.deadline && !hasRole(SCHEDULER_ROLE, msg.sender)) {
            revert SoukFinalizeTooEarly(jobId, uint256(job.deadline) + 1);
        }
        uint256 r = job.redundancy;
        address[] memory winners = new address[](r);
        for (uint256 i; i < r; ++i) {
            winners[i] = _slots[jobId][i];
        }
        _settle(jobId, job, winners, r);
    }

    /// @inheritdoc IComputeMarket
    function challenge(uint256 jobId) external onlyRole(REFEREE_ROLE) nonReentrant {
        Job storage job = _jobs[jobId];
        _requireAllRevealed(jobId, job);
        job.resultHash = 0; // no accepted result while disputed, as when reveals disagree
        _transition(jobId, job, JobStatus.Disputed);
        emit JobChallenged(jobId, msg.sender);
    }

    /// @inheritdoc IComputeMarket
    function settleDispute(uint256 jobId, bytes32 correctResultHash) external onlyRole(REFEREE_ROLE) nonReentrant {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job, JobStatus.Disputed);
        if (correctResultHash == 0) revert SoukZeroHash();
        uint256 r = job.redundancy;
        address[] memory winners = new address[](r);
        uint256 k;
        for (uint256 i; i < r; ++i) {
            address provider = _slots[jobId][i];
            if (_assignments[jobId][provider].result == correctResultHash) winners[k++] = provider;
            else _penalize(jobId, provider, REASON_WRONG_RESULT);
        }
        job.resultHash = correctResultHash;
        if (k == 0) _refund(jobId, job);
        else _settle(jobId, job, winners, k);
    }

    /// @inheritdoc IComputeMarket
    function refund(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        JobStatus status = job.status;
        uint256 refundableAt = job.deadline;
        if (status == JobStatus.Disputed) refundableAt += disputePeriod;
        else if (status == JobStatus.Revealing && job.revealedCount == job.redundancy) {
            revert SoukInvalidJobStatus(jobId, status); // complete and agreeing: finalize it instead
        } else if (status != JobStatus.Open && status != JobStatus.Assigned && status != JobStatus.Revealing) {
            revert SoukInvalidJobStatus(jobId, status);
        }
        if (block.timestamp <= refundableAt) revert SoukDeadlineNotReached(jobId, refundableAt);

        if (status == JobStatus.Assigned || status == JobStatus.Revealing) {
            uint256 r = job.redundancy;
            for (uint256 i; i < r; ++i) {
                address provider = _slots[jobId][i];
                Assignment storage a = _assignments[jobId][provider];
                if (a.commitment == 0) _penalize(jobId, provider, REASON_NO_COMMIT);
                else if (status == JobStatus.Revealing && a.result == 0) _penalize(jobId, provider, REASON_NO_REVEAL);
            }
        }
        _refund(jobId, job);
    }

    /// @inheritdoc IComputeMarket
    function failJob(uint256 jobId, bytes32 reasonHash) external onlyRole(REFEREE_ROLE) nonReentrant {
        Job storage job = _jobs[jobId];
        JobStatus status = job.status;
        if (status != JobStatus.Open && status != JobStatus.Assigned) revert SoukInvalidJobStatus(jobId, status);
        uint256 reward = job.reward;
        address currency = job.currency;
        _escrowed[currency] -= reward;
        _transition(jobId, job, JobStatus.Failed);
        emit JobFailed(jobId, reasonHash);
        _pay(currency, job.requester, reward);
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

    /// @notice Governance: SOUK wei slashed per fault. Emits {SlashAmountSet}.
    function setSlashAmount(uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        slashAmount = amount;
        emit SlashAmountSet(amount);
    }

    /// @notice Governance: seconds a referee has after a disputed job's deadline (1 hour..30 days).
    /// Emits {DisputePeriodSet}. Reverts {SoukInvalidDuration}.
    function setDisputePeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDisputePeriod(period);
    }

    /// @notice Governance: longest deadline a job may ask for, seconds (1 minute..90 days).
    /// Emits {MaxJobDurationSet}. Reverts {SoukInvalidDuration}.
    function setMaxJobDuration(uint64 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxJobDuration(duration);
    }

    /// @notice Governance: seconds providers have to reveal after the last commit (1 minute..7 days).
    /// Emits {RevealPeriodSet}. Reverts {SoukInvalidDuration}.
    function setRevealPeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRevealPeriod(period);
    }

    /// @notice Governance: receiver of the treasury share. Emits {TreasurySet}. Reverts {SoukZeroAddress}.
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @notice Governance: allows or forbids a payment currency. Emits {CurrencyAllowed}.
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCurrencyAllowed(currency, allowed);
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc IComputeMarket
    function getJob(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @inheritdoc IComputeMarket
    function providersOf(uint256 jobId) external view returns (address[] memory providers) {
        uint256 r = _slots[jobId][0] == address(0) ? 0 : _jobs[jobId].redundancy;
        providers = new address[](r);
        for (uint256 i; i < r; ++i) {
            providers[i] = _slots[jobId][i];
        }
    }

    /// @inheritdoc IComputeMarket
    function getAssignment(uint256 jobId, address provider) external view returns (Assignment memory) {
        return _assignments[jobId][provider];
    }

    /// @inheritdoc IComputeMarket
    function commitmentOf(bytes32 resultHash, bytes32 salt, address provider) external pure returns (bytes32) {
        return _commitment(resultHash, salt, provider);
    }

    /// @inheritdoc IComputeMarket
    function totalEscrowed(address currency) external view returns (uint256) {
        return _escrowed[currency];
    }

    /// @inheritdoc IComputeMarket
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    // ───────────────────────────── internals ─────────────────────────────

    /// @dev The one place a job changes status. Emits {JobStatusChanged}.
    function _transition(uint256 jobId, Job storage job, JobStatus to) private {
        JobStatus from = job.status;
        job.status = to;
        emit JobStatusChanged(jobId, from, to);
    }

    /// @dev Pays `winners[0..k)` the providers' part in equal shares, the creator and the treasury (with dust);
    /// moves the job to Finalized. Requirements: 1 ≤ k ≤ r. Emits {ProviderPaid} per winner, {JobSettled}.
    function _settle(uint256 jobId, Job storage job, address[] memory winners, uint256 k) private {
        uint256 reward = job.reward;
        address currency = job.currency;
        uint256 each = reward * providerBps / 10_000 / k;
        uint256 creatorAmount = reward * creatorBps / 10_000;
        // Cannot underflow: each * k + creatorAmount ≤ reward * (providerBps + creatorBps) / 10_000 ≤ reward.
        uint256 treasuryAmount;
        unchecked {
            treasuryAmount = reward - each * k - creatorAmount;
        }
        address creator = agentNFT.creatorOf(job.modelId);
        _escrowed[currency] -= reward;
        _transition(jobId, job, JobStatus.Finalized);
        emit JobSettled(jobId, job.resultHash, each * k, creator, creatorAmount, treasuryAmount);
        for (uint256 i; i < k; ++i) {
            emit ProviderPaid(jobId, winners[i], each);
            registry.recordResult(winners[i], true);
            _pay(currency, winners[i], each);
        }
        _pay(currency, creator, creatorAmount);
        _pay(currency, treasury, treasuryAmount);
    }

    /// @dev Returns the whole escrow to the requester; moves the job to Refunded. Emits {JobRefunded}.
    function _refund(uint256 jobId, Job storage job) private {
        uint256 reward = job.reward;
        _escrowed[job.currency] -= reward;
        _transition(jobId, job, JobStatus.Refunded);
        emit JobRefunded(jobId, job.requester, reward);
        _pay(job.currency, job.requester, reward);
    }

    /// @dev Slashes `provider` by {slashAmount} (what it has, at most) and counts a failure.
    /// Emits {ProviderSlashed}.
    function _penalize(uint256 jobId, address provider, bytes32 reason) private {
        uint256 taken = slashAmount == 0 ? 0 : registry.slash(provider, slashAmount, reason);
        emit ProviderSlashed(jobId, provider, taken, reason);
        registry.recordResult(provider, false);
    }

    /// @dev Gives `provider` slot `slot` of the job. Emits {ProviderAssigned}.
    function _assign(uint256 jobId, uint256 slot, address provider) private {
        if (!registry.isActive(provider)) revert SoukProviderNotActive(provider);
        Assignment storage a = _assignments[jobId][provider];
        if (a.assigned) revert SoukProviderAlreadyAssigned(jobId, provider);
        a.assigned = true;
        _slots[jobId][slot] = provider;
        emit ProviderAssigned(jobId, provider);
    }

    function _requireStatus(uint256 jobId, Job storage job, JobStatus status) private view {
        if (job.status != status) revert SoukInvalidJobStatus(jobId, job.status);
    }

    /// @dev Requirements: the job is Revealing with all r reveals in (so they agree: a disagreement would have
    /// moved it to Disputed).
    function _requireAllRevealed(uint256 jobId, Job storage job) private view {
        _requireStatus(jobId, job, JobStatus.Revealing);
        if (job.revealedCount != job.redundancy) {
            revert SoukNotReadyToFinalize(jobId, job.revealedCount, job.redundancy);
        }
    }

    function _requireBeforeDeadline(uint256 jobId, Job storage job) private view {
        if (block.timestamp > job.deadline) revert SoukDeadlinePassed(jobId, job.deadline);
    }

    function _requireAssigned(uint256 jobId, address provider) private view returns (Assignment storage a) {
        a = _assignments[jobId][provider];
        if (!a.assigned) revert SoukNotAssigned(jobId, provider);
    }

    function _commitment(bytes32 resultHash, bytes32 salt, address provider) private pure returns (bytes32) {
        return keccak256(abi.encode(resultHash, salt, provider));
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

    function _setDisputePeriod(uint64 period) private {
        if (period < 1 hours || period > 30 days) revert SoukInvalidDuration(period);
        disputePeriod = period;
        emit DisputePeriodSet(period);
    }

    function _setMaxJobDuration(uint64 duration) private {
        if (duration < 1 minutes || duration > 90 days) revert SoukInvalidDuration(duration);
        maxJobDuration = duration;
        emit MaxJobDurationSet(duration);
    }

    function _setRevealPeriod(uint64 period) private {
        if (period < 1 minutes || period > 7 days) revert SoukInvalidDuration(period);
        revealPeriod = period;
        emit RevealPeriodSet(period);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert SoukZeroAddress();
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }
}
