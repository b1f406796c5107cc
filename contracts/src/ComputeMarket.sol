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
/// alone until the audit window ends (the reveal deadline, and at least `auditPeriod` after the last reveal): nobody
/// else can pay a job out while the referee may still audit it, and the referee cannot challenge after it.
///
/// Stake at risk: every assignment locks the job's slash amount of the provider's stake in the ProviderRegistry
/// until the job settles, so a provider can neither unbond the stake that backs a fault nor back more concurrent
/// jobs than its stake covers. The registry's unbonding period must cover a job's whole life
/// (`maxJobDuration + revealPeriod + auditPeriod + disputePeriod`), checked by every setter on both sides.
///
/// Terms are fixed at submission: the revenue split, slash amount, reveal, audit and dispute periods a job was
/// submitted under are snapshotted into it, so governance changes never reach running jobs.
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

    /// @notice Providers' share of a job's reward for jobs submitted from now on, bps.
    uint16 public providerBps;
    /// @notice Treasury's share, bps (it also receives the rounding dust).
    uint16 public treasuryBps;
    /// @notice Model creator's share, bps.
    uint16 public creatorBps;
    /// @notice Seconds the referee has to settle a dispute, counted from the end of the job's audit window.
    uint64 public disputePeriod;
    /// @notice Longest deadline a job may ask for, seconds from submission.
    uint64 public maxJobDuration;
    /// @notice Seconds providers always have to reveal once the last commit is in (the reveal window).
    uint64 public revealPeriod;
    /// @notice Receiver of the treasury share.
    address public treasury;
    /// @notice SOUK wei slashed per fault (capped by what the provider has bonded); also what each assignment locks.
    uint96 public slashAmount;
    /// @notice Seconds after the last reveal during which only the scheduler may finalize and the referee may
    /// challenge (the audit window).
    uint64 public auditPeriod;
    /// @notice Seconds that must be left before the deadline when a provider is assigned (and when a job is
    /// submitted), so no provider is handed a job it cannot finish and then slashed for it.
    uint64 public minWorkingTime;

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
    /// @param auditPeriod Seconds after the last reveal reserved for the referee's audit.
    /// @param minWorkingTime Seconds that must be left before the deadline at every assignment.
    struct Config {
        address admin;
        address guardian;
        address treasury;
        uint256 slashAmount;
        uint64 disputePeriod;
        uint64 maxJobDuration;
        uint64 revealPeriod;
        uint64 auditPeriod;
        uint64 minWorkingTime;
    }

    /// @param nft The AgentNFT collection.
    /// @param registry_ The ProviderRegistry (this contract needs its SLASHER_ROLE and REPORTER_ROLE).
    /// @param config See {Config}. Split starts at 8,000 / 1,500 / 500 bps.
    /// @dev Reverts {SoukInvalidDuration}, {SoukInvalidSlashAmount}, {SoukZeroAddress}, and {SoukUnbondingTooShort}
    /// unless the registry's unbonding period covers a job's life. Once the ComputeMarket holds the registry's
    /// SLASHER_ROLE, call {syncUnbondingFloor} so the registry enforces that floor too.
    constructor(IAgentNFT nft, IProviderRegistry registry_, Config memory config)
        Governed(config.admin, config.guardian)
    {
        agentNFT = nft;
        registry = registry_;
        _setTreasury(config.treasury);
        _setRevenueSplit(8_000, 1_500, 500);
        _setSlashAmount(config.slashAmount);
        _setDisputePeriod(config.disputePeriod);
        _setMaxJobDuration(config.maxJobDuration);
        _setRevealPeriod(config.revealPeriod);
        _setAuditPeriod(config.auditPeriod);
        _setMinWorkingTime(config.minWorkingTime);
        _requireUnbondingCovers();
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
        uint256 minWork = minWorkingTime;
        uint256 minDeadline = block.timestamp + (minWork == 0 ? 1 : minWork);
        uint256 maxDeadline = block.timestamp + maxJobDuration;
        if (deadline < minDeadline || deadline > maxDeadline) {
            revert SoukInvalidDeadline(deadline, minDeadline, maxDeadline);
        }
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
        // The job's terms, fixed for its whole life. The casts cannot truncate: the setters bound slashAmount to
        // uint96 and every period to at most 30 days (< 2^24 seconds).
        job.slashAmount = slashAmount;
        job.providerBps = providerBps;
        job.creatorBps = creatorBps;
        // forge-lint: disable-next-line(unsafe-typecast) -- ≤ 7 days by the setter
        job.revealPeriod = uint24(revealPeriod);
        // forge-lint: disable-next-line(unsafe-typecast) -- ≤ 7 days by the setter
        job.auditPeriod = uint24(auditPeriod);
        // forge-lint: disable-next-line(unsafe-typecast) -- ≤ 30 days by the setter
        job.disputePeriod = uint24(disputePeriod);
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
        _requireWorkingTime(jobId, job);
        if (providers.length != job.redundancy) {
            revert SoukWrongProviderCount(jobId, providers.length, job.redundancy);
        }
        uint256 lock = job.slashAmount;
        for (uint256 i; i < providers.length; ++i) {
            _assign(jobId, i, providers[i], lock);
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
        _requireWorkingTime(jobId, job);
        uint256 lock = job.slashAmount;
        uint256 slot;
        if (previous == address(0)) {
            // Fill a slot vacated by {releaseProvider}: nobody held it, so nobody is charged a failure or unlocked.
            uint256 r = job.redundancy;
            while (slot < r && _slots[jobId][slot] != address(0)) ++slot;
            if (slot == r) revert SoukNoVacantSlot(jobId);
            _assign(jobId, slot, replacement, lock);
            emit ProviderReassigned(jobId, address(0), replacement);
            return;
        }
        Assignment storage old = _assignments[jobId][previous];
        if (!old.assigned) revert SoukNotAssigned(jobId, previous);
        if (old.commitment != 0) revert SoukAlreadyCommitted(jobId, previous);
        if (replacement == previous) revert SoukProviderAlreadyAssigned(jobId, previous);
        while (_slots[jobId][slot] != previous) ++slot; // found within r ≤ 5 slots: `previous` is assigned
        delete _assignments[jobId][previous];
        _assign(jobId, slot, replacement, lock);
        emit ProviderReassigned(jobId, previous, replacement);
        registry.recordResult(previous, false);
        _unlock(previous, lock);
    }

    /// @inheritdoc IComputeMarket
    function releaseProvider(uint256 jobId, address provider) external onlyRole(SCHEDULER_ROLE) {
        Job storage job = _jobs[jobId];
        _requireStatus(jobId, job, JobStatus.Assigned);
        _requireBeforeDeadline(jobId, job); // after it, {refund} judges who delivered
        Assignment storage a = _requireAssigned(jobId, provider);
        if (a.commitment != 0) revert SoukAlreadyCommitted(jobId, provider);
        uint256 slot;
        while (_slots[jobId][slot] != provider) ++slot; // found within r ≤ 5 slots: `provider` is assigned
        delete _slots[jobId][slot];
        delete _assignments[jobId][provider];
        emit ProviderReleased(jobId, provider);
        _unlock(provider, job.slashAmount);
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
            uint256 revealDeadline = block.timestamp + job.revealPeriod;
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
        if (revealed == job.redundancy) {
            if (job.disagreement) {
                job.resultHash = 0;
                _transition(jobId, job, JobStatus.Disputed);
            } else {
                // Open the audit window: a reveal landing at the last second must still leave the referee
                // `auditPeriod` to re-execute and challenge before anyone but the scheduler may pay out.
                // forge-lint: disable-next-line(unsafe-typecast) -- a Unix time in seconds fits 40 bits
                job.auditEndsAt = uint40(block.timestamp + job.auditPeriod);
            }
        }
    }

    // ───────────────────────────── settlement ─────────────────────────────

    /// @inheritdoc IComputeMarket
    function finalize(uint256 jobId) external nonReentrant {
        Job storage job = _jobs[jobId];
        _requireAllRevealed(jobId, job);
        // The audit window belongs to the referee: only the scheduler (the same node, which has audited or chosen
        // not to) may pay out before it ends. The role lookup is paid only inside the window.
        uint256 auditEnd = _auditEnd(job);
        if (block.timestamp <= auditEnd && !hasRole(SCHEDULER_ROLE, msg.sender)) {
            revert SoukFinalizeTooEarly(jobId, auditEnd + 1);
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
        // Only inside the audit window: a later challenge could be raced by {refund} (deadline + dispute period)
        // and would leave the referee no dispute period of its own.
        uint256 auditEnd = _auditEnd(job);
        if (block.timestamp > auditEnd) revert SoukChallengeTooLate(jobId, auditEnd);
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
            else _penalize(jobId, job, provider, REASON_WRONG_RESULT);
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
        // A dispute gets its full period after the audit window in which it may have been opened.
        if (status == JobStatus.Disputed) refundableAt = _auditEnd(job) + job.disputePeriod;
        else if (status == JobStatus.Revealing && job.revealedCount == job.redundancy) {
            revert SoukInvalidJobStatus(jobId, status); // complete and agreeing: finalize it instead
        } else if (status != JobStatus.Open && status != JobStatus.Assigned && status != JobStatus.Revealing) {
            revert SoukInvalidJobStatus(jobId, status);
        }
        if (block.timestamp <= refundableAt) revert SoukDeadlineNotReached(jobId, refundableAt);

        if (status != JobStatus.Open) {
            uint256 r = job.redundancy;
            uint256 lock = job.slashAmount;
            bool judged = status != JobStatus.Disputed; // an unsettled dispute proves no fault: nobody is slashed
            for (uint256 i; i < r; ++i) {
                address provider = _slots[jobId][i];
                if (provider == address(0)) continue; // vacated by {releaseProvider}: nobody to slash or unlock
                Assignment storage a = _assignments[jobId][provider];
                if (judged && a.commitment == 0) _penalize(jobId, job, provider, REASON_NO_COMMIT);
                else if (judged && status == JobStatus.Revealing && a.result == 0) {
                    _penalize(jobId, job, provider, REASON_NO_REVEAL);
                } else {
                    _unlock(provider, lock);
                }
            }
        }
        _refund(jobId, job);
    }

    /// @inheritdoc IComputeMarket
    function failJob(uint256 jobId, bytes32 reasonHash) external onlyRole(REFEREE_ROLE) nonReentrant {
        Job storage job = _jobs[jobId];
        JobStatus status = job.status;
        if (status != JobStatus.Open && status != JobStatus.Assigned) revert SoukInvalidJobStatus(jobId, status);
        if (status == JobStatus.Assigned) {
            uint256 r = job.redundancy;
            uint256 lock = job.slashAmount;
            for (uint256 i; i < r; ++i) {
                address provider = _slots[jobId][i];
                if (provider != address(0)) _unlock(provider, lock); // a vacated slot holds no lock
            }
        }
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

    /// @notice Governance: SOUK wei slashed per fault, and locked per assignment, for jobs submitted from now on
    /// (≤ 2^96 − 1). Emits {SlashAmountSet}. Reverts {SoukInvalidSlashAmount}.
    function setSlashAmount(uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSlashAmount(amount);
    }

    /// @notice Governance: seconds a referee has to settle a dispute, counted from the end of the job's audit
    /// window (1 hour..30 days), for jobs submitted from now on. Emits {DisputePeriodSet}.
    /// Reverts {SoukInvalidDuration}, {SoukUnbondingTooShort}.
    function setDisputePeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDisputePeriod(period);
        _syncUnbondingFloor();
    }

    /// @notice Governance: longest deadline a job may ask for, seconds (1 minute..90 days, above
    /// {minWorkingTime}). Emits {MaxJobDurationSet}. Reverts {SoukInvalidDuration}, {SoukUnbondingTooShort}.
    function setMaxJobDuration(uint64 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxJobDuration(duration);
        _syncUnbondingFloor();
    }

    /// @notice Governance: seconds providers have to reveal after the last commit (1 minute..7 days), for jobs
    /// submitted from now on. Emits {RevealPeriodSet}. Reverts {SoukInvalidDuration}, {SoukUnbondingTooShort}.
    function setRevealPeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRevealPeriod(period);
        _syncUnbondingFloor();
    }

    /// @notice Governance: seconds after the last reveal reserved for the referee's audit (1 minute..7 days), for
    /// jobs submitted from now on. Emits {AuditPeriodSet}. Reverts {SoukInvalidDuration}, {SoukUnbondingTooShort}.
    function setAuditPeriod(uint64 period) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setAuditPeriod(period);
        _syncUnbondingFloor();
    }

    /// @notice Governance: seconds that must be left before the deadline at every assignment and submission
    /// (0..1 day, below {maxJobDuration}). Emits {MinWorkingTimeSet}. Reverts {SoukInvalidDuration}.
    function setMinWorkingTime(uint64 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinWorkingTime(duration);
    }

    /// @notice Pushes {jobLifetime} to the registry as its floor for the unbonding period, so governance cannot
    /// shorten unbonding below a job's life there either. Anyone may call it (it only restates this contract's
    /// parameters); the deployment calls it once the ComputeMarket holds the registry's SLASHER_ROLE, and every
    /// duration setter calls it.
    /// @dev Reverts {SoukUnbondingTooShort} (from this contract's check) and `AccessControlUnauthorizedAccount`
    /// while the ComputeMarket lacks SLASHER_ROLE.
    function syncUnbondingFloor() external {
        _syncUnbondingFloor();
    }

    /// @notice The longest a provider's assignment can stay liable to a slash, seconds:
    /// `maxJobDuration + revealPeriod + auditPeriod + disputePeriod` (deadline, reveal extension, audit window,
    /// dispute period). The registry's unbonding period is kept at least this long.
    function jobLifetime() public view returns (uint256) {
        return uint256(maxJobDuration) + revealPeriod + auditPeriod + disputePeriod;
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
        Job storage job = _jobs[jobId];
        uint256 r = job.redundancy;
        providers = new address[](r);
        bool any = job.status == JobStatus.Assigned; // an Assigned job lists its slots even if all are vacated
        for (uint256 i; i < r; ++i) {
            address provider = _slots[jobId][i];
            providers[i] = provider;
            if (provider != address(0)) any = true;
        }
        if (!any) providers = new address[](0); // never assigned
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
        uint256 each = reward * job.providerBps / 10_000 / k;
        uint256 creatorAmount = reward * job.creatorBps / 10_000;
        uint256 lock = job.slashAmount;
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
            _unlock(winners[i], lock);
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

    /// @dev Slashes `provider` by the job's slash amount (what it has, at most), which also releases the lock that
    /// amount held for this job, and counts a failure. Emits {ProviderSlashed}.
    function _penalize(uint256 jobId, Job storage job, address provider, bytes32 reason) private {
        uint256 amount = job.slashAmount;
        uint256 taken = amount == 0 ? 0 : registry.slash(provider, amount, reason);
        emit ProviderSlashed(jobId, provider, taken, reason);
        registry.recordResult(provider, false);
    }

    /// @dev Gives `provider` slot `slot` of the job and locks `lock` SOUK wei of its stake until the job settles.
    /// Requirements: active, not yet assigned to the job, unlocked stake ≥ `lock` (else the registry reverts
    /// `SoukInsufficientFreeStake`). Emits {ProviderAssigned}.
    function _assign(uint256 jobId, uint256 slot, address provider, uint256 lock) private {
        if (!registry.isActive(provider)) revert SoukProviderNotActive(provider);
        Assignment storage a = _assignments[jobId][provider];
        if (a.assigned) revert SoukProviderAlreadyAssigned(jobId, provider);
        a.assigned = true;
        _slots[jobId][slot] = provider;
        emit ProviderAssigned(jobId, provider);
        if (lock != 0) registry.lockStake(provider, lock);
    }

    /// @dev Releases `lock` SOUK wei of `provider`'s stake held for a job that no longer needs it.
    function _unlock(address provider, uint256 lock) private {
        if (lock != 0) registry.unlockStake(provider, lock);
    }

    /// @dev The last second of the job's audit window: its deadline, or `auditPeriod` after the last reveal if
    /// later (zero until all r agreed).
    function _auditEnd(Job storage job) private view returns (uint256) {
        uint256 deadline = job.deadline;
        uint256 auditEndsAt = job.auditEndsAt;
        return auditEndsAt > deadline ? auditEndsAt : deadline;
    }

    /// @dev Requirements: at least {minWorkingTime} seconds left before the deadline (reverts
    /// {SoukNotEnoughTimeLeft}, or {SoukDeadlinePassed} once it has passed).
    function _requireWorkingTime(uint256 jobId, Job storage job) private view {
        uint256 deadline = job.deadline;
        if (block.timestamp > deadline) revert SoukDeadlinePassed(jobId, deadline);
        uint256 left = deadline - block.timestamp;
        if (left < minWorkingTime) revert SoukNotEnoughTimeLeft(jobId, left, minWorkingTime);
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

    function _setSlashAmount(uint256 amount) private {
        if (amount > type(uint96).max) revert SoukInvalidSlashAmount(amount);
        // forge-lint: disable-next-line(unsafe-typecast) -- checked above
        slashAmount = uint96(amount);
        emit SlashAmountSet(amount);
    }

    function _setAuditPeriod(uint64 period) private {
        if (period < 1 minutes || period > 7 days) revert SoukInvalidDuration(period);
        auditPeriod = period;
        emit AuditPeriodSet(period);
    }

    function _setMinWorkingTime(uint64 duration) private {
        if (duration > 1 days || duration >= maxJobDuration) revert SoukInvalidDuration(duration);
        minWorkingTime = duration;
        emit MinWorkingTimeSet(duration);
    }

    /// @dev Reverts {SoukUnbondingTooShort} unless the registry's unbonding period covers {jobLifetime}.
    function _requireUnbondingCovers() private view returns (uint256 lifetime) {
        lifetime = jobLifetime();
        uint256 unbonding = registry.unbondingPeriod();
        if (unbonding < lifetime) revert SoukUnbondingTooShort(unbonding, lifetime);
    }

    function _syncUnbondingFloor() private {
        // forge-lint: disable-next-line(unsafe-typecast) -- ≤ 90 + 7 + 7 + 30 days, far below 2^64 seconds
        registry.setMinUnbondingPeriod(uint64(_requireUnbondingCovers()));
    }

    function _setDisputePeriod(uint64 period) private {
        if (period < 1 hours || period > 30 days) revert SoukInvalidDuration(period);
        disputePeriod = period;
        emit DisputePeriodSet(period);
    }

    function _setMaxJobDuration(uint64 duration) private {
        if (duration < 1 minutes || duration > 90 days || duration <= minWorkingTime) {
            revert SoukInvalidDuration(duration);
        }
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
