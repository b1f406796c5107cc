// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IComputeMarket
/// @notice Escrowed inference jobs run by `redundancy` independent providers, verified by commit–reveal agreement
/// before anyone is paid; disputes settled by a referee who slashes the wrong side, and agreeing results audited at
/// random by the same referee ({challenge}).
interface IComputeMarket {
    /// @notice Job lifecycle. Open → Assigned → Revealing → Finalized; Revealing → Disputed on disagreement or a
    /// referee's {challenge}; Disputed → Finalized | Refunded; Open | Assigned | Revealing | Disputed → Refunded after
    /// the deadline; Open | Assigned → Failed when the referee finds the job itself cannot run ({failJob}). Codes are
    /// append-only: Failed = 7 (see docs/contracts.md).
    enum JobStatus {
        None,
        Open,
        Assigned,
        Revealing,
        Disputed,
        Finalized,
        Refunded,
        Failed
    }

    /// @notice A job. Amounts in wei of `currency`; times in Unix seconds.
    /// @param requester Who pays and receives refunds.
    /// @param deadline Last second at which commits are accepted; when the last commit lands it moves to at least
    /// that time + `revealPeriod`, and is then the last second at which reveals are accepted.
    /// @param redundancy r, providers that must agree (1..5).
    /// @param status Lifecycle state.
    /// @param committedCount Providers that committed.
    /// @param revealedCount Providers that revealed.
    /// @param disagreement Whether two reveals differed.
    /// @param currency Payment currency (`address(0)` native).
    /// @param reward Escrowed payment, in wei of `currency`.
    /// @param modelId The model (AgentNFT id) whose creator earns the creator share.
    /// @param inputHash Hash of the job input (sha-256 of its bytes, or of its CID's bytes).
    /// @param resultHash The agreed (or referee-settled) result hash; zero before, and while Disputed.
    /// @param slashAmount Snapshot at submission: SOUK wei slashed per fault, and locked per assigned provider.
    /// @param providerBps Snapshot at submission: providers' share, bps.
    /// @param creatorBps Snapshot at submission: model creator's share, bps (the treasury gets the rest).
    /// @param revealPeriod Snapshot at submission: seconds providers have to reveal after the last commit.
    /// @param auditPeriod Snapshot at submission: seconds of audit window after the last reveal.
    /// @param disputePeriod Snapshot at submission: seconds the referee has to settle a dispute after the audit
    /// window.
    /// @param auditEndsAt Unix seconds: last reveal + `auditPeriod`, set when all r reveals agree; zero before. Until
    /// `max(deadline, auditEndsAt)` only the scheduler may finalize and the referee may challenge.
    struct Job {
        address requester;
        uint40 deadline;
        uint8 redundancy;
        JobStatus status;
        uint8 committedCount;
        uint8 revealedCount;
        bool disagreement;
        address currency;
        uint96 reward;
        uint256 modelId;
        bytes32 inputHash;
        bytes32 resultHash;
        uint96 slashAmount;
        uint16 providerBps;
        uint16 creatorBps;
        uint24 revealPeriod;
        uint24 auditPeriod;
        uint24 disputePeriod;
        uint40 auditEndsAt;
    }

    /// @notice One provider's part in a job.
    /// @param commitment keccak256(abi.encode(resultHash, salt, provider)); zero before commit.
    /// @param result Revealed result hash; zero before reveal.
    /// @param assigned Whether the provider currently holds a slot of the job.
    struct Assignment {
        bytes32 commitment;
        bytes32 result;
        bool assigned;
    }

    /// @notice Thrown when redundancy is outside 1..{MAX_REDUNDANCY}.
    error SoukInvalidRedundancy(uint256 redundancy);
    /// @notice Thrown when a job's deadline (Unix seconds) is outside `[minDeadline, maxDeadline]`: `minDeadline` is
    /// the block's timestamp + {minWorkingTime} (at least + 1 s), `maxDeadline` the block's timestamp +
    /// {maxJobDuration}.
    error SoukInvalidDeadline(uint256 deadline, uint256 minDeadline, uint256 maxDeadline);
    /// @notice Thrown when a provider would be assigned with less than {minWorkingTime} seconds left before the
    /// deadline (`timeLeft` = deadline − block timestamp, seconds).
    error SoukNotEnoughTimeLeft(uint256 jobId, uint256 timeLeft, uint256 minWorkingTime);
    /// @notice Thrown when the referee challenges after the job's audit window ended (`auditEnd`, Unix seconds: the
    /// later of the deadline and last reveal + audit period).
    error SoukChallengeTooLate(uint256 jobId, uint256 auditEnd);
    /// @notice Thrown when the registry's unbonding period (seconds) is shorter than a job's life
    /// (`maxJobDuration + revealPeriod + auditPeriod + disputePeriod`): a provider could unbond and withdraw
    /// before a fault is settled.
    error SoukUnbondingTooShort(uint256 unbondingPeriod, uint256 jobLifetime);
    /// @notice Thrown when a slash amount above `type(uint96).max` SOUK wei is set.
    error SoukInvalidSlashAmount(uint256 amount);
    /// @notice Thrown on a zero reward or one above `type(uint96).max` wei.
    error SoukInvalidReward(uint256 reward);
    /// @notice Thrown when a job is not in the state an action needs.
    error SoukInvalidJobStatus(uint256 jobId, JobStatus status);
    /// @notice Thrown when the job's deadline has passed.
    error SoukDeadlinePassed(uint256 jobId, uint256 deadline);
    /// @notice Thrown when the job's deadline (plus the dispute period for disputed jobs) has not passed yet.
    error SoukDeadlineNotReached(uint256 jobId, uint256 refundableAt);
    /// @notice Thrown when the number of providers assigned differs from the job's redundancy.
    error SoukWrongProviderCount(uint256 jobId, uint256 given, uint256 redundancy);
    /// @notice Thrown when a provider is not active in the ProviderRegistry.
    error SoukProviderNotActive(address provider);
    /// @notice Thrown when a provider is assigned twice to one job.
    error SoukProviderAlreadyAssigned(uint256 jobId, address provider);
    /// @notice Thrown when the caller or named provider is not assigned to the job.
    error SoukNotAssigned(uint256 jobId, address provider);
    /// @notice Thrown when a vacated slot is to be filled ({reassignProvider} with `previous = address(0)`) but
    /// every slot of the job is held.
    error SoukNoVacantSlot(uint256 jobId);
    /// @notice Thrown when a provider commits twice, or a reassigned provider had already committed.
    error SoukAlreadyCommitted(uint256 jobId, address provider);
    /// @notice Thrown when a provider reveals twice.
    error SoukAlreadyRevealed(uint256 jobId, address provider);
    /// @notice Thrown when a commitment or result hash is zero.
    error SoukZeroHash();
    /// @notice Thrown when a reveal does not open the provider's commitment.
    error SoukCommitmentMismatch(uint256 jobId, address provider);
    /// @notice Thrown when a job is finalized before every provider revealed matching results, or challenged
    /// before every provider revealed.
    error SoukNotReadyToFinalize(uint256 jobId, uint256 revealed, uint256 redundancy);
    /// @notice Thrown when someone without `SCHEDULER_ROLE` finalizes a job before its audit window ended;
    /// `openAt` is the first Unix second anyone may: max(deadline, last reveal + audit period) + 1.
    error SoukFinalizeTooEarly(uint256 jobId, uint256 openAt);
    /// @notice Thrown when someone other than the requester cancels.
    error SoukNotRequester(uint256 jobId, address caller);
    /// @notice Thrown when a revenue split does not sum to 10,000 bps.
    error SoukInvalidSplit(uint256 providerBps, uint256 treasuryBps, uint256 creatorBps);
    /// @notice Thrown when the zero address is given where an account is required.
    error SoukZeroAddress();
    /// @notice Thrown when a job names an asset that cannot be run (a dataset).
    error SoukAssetNotRunnable(uint256 assetId);
    /// @notice Thrown when a duration parameter is zero or too long.
    error SoukInvalidDuration(uint256 duration);

    /// @notice A job was submitted and its reward escrowed.
    /// @param jobId The job.
    /// @param requester Who pays.
    /// @param modelId The model (AgentNFT id).
    /// @param inputHash Hash of the input.
    /// @param currency Payment currency.
    /// @param reward Escrowed, in wei of `currency`.
    /// @param redundancy r.
    /// @param deadline Unix seconds.
    event JobSubmitted(
        uint256 indexed jobId,
        address indexed requester,
        uint256 indexed modelId,
        bytes32 inputHash,
        address currency,
        uint256 reward,
        uint8 redundancy,
        uint40 deadline
    );
    /// @notice Every status change of a job goes through this one event.
    /// @param jobId The job.
    /// @param from Previous status.
    /// @param to New status.
    event JobStatusChanged(uint256 indexed jobId, JobStatus from, JobStatus to);
    /// @notice A provider was given a slot of the job.
    /// @param jobId The job.
    /// @param provider The provider.
    event ProviderAssigned(uint256 indexed jobId, address indexed provider);
    /// @notice A provider that had not committed was replaced, or a vacated slot was filled.
    /// @param jobId The job.
    /// @param previous Provider removed (its failure counter moves); `address(0)` when a slot vacated by
    /// {releaseProvider} was filled.
    /// @param replacement Provider added.
    event ProviderReassigned(uint256 indexed jobId, address indexed previous, address indexed replacement);
    /// @notice A provider that never received its assignment was released from the job ({releaseProvider}): its slot
    /// is vacated, its stake lock released, its failure counter and stake untouched.
    /// @param jobId The job.
    /// @param provider The released provider.
    event ProviderReleased(uint256 indexed jobId, address indexed provider);
    /// @notice A provider committed to a result.
    /// @param jobId The job.
    /// @param provider The provider.
    /// @param commitment keccak256(abi.encode(resultHash, salt, provider)).
    event ResultCommitted(uint256 indexed jobId, address indexed provider, bytes32 commitment);
    /// @notice A provider revealed its result.
    /// @param jobId The job.
    /// @param provider The provider.
    /// @param resultHash The result hash.
    event ResultRevealed(uint256 indexed jobId, address indexed provider, bytes32 resultHash);
    /// @notice A referee challenged a job whose r reveals all agreed (a random audit), moving it to Disputed.
    /// @param jobId The job.
    /// @param referee The `REFEREE_ROLE` account that challenged it and will settle it with {settleDispute}.
    event JobChallenged(uint256 indexed jobId, address indexed referee);
    /// @notice A provider was paid for a job.
    /// @param jobId The job.
    /// @param provider The provider.
    /// @param amount In wei of the job's currency.
    event ProviderPaid(uint256 indexed jobId, address indexed provider, uint256 amount);
    /// @notice A job settled and its escrow was paid out.
    /// @param jobId The job.
    /// @param resultHash The accepted result.
    /// @param providersTotal Paid to providers in all, wei.
    /// @param creator Model creator.
    /// @param creatorAmount Paid to the creator, wei.
    /// @param treasuryAmount Paid to the treasury, wei, including rounding dust.
    event JobSettled(
        uint256 indexed jobId,
        bytes32 resultHash,
        uint256 providersTotal,
        address creator,
        uint256 creatorAmount,
        uint256 treasuryAmount
    );
    /// @notice A job's escrow went back to the requester.
    /// @param jobId The job.
    /// @param requester Receiver.
    /// @param amount Wei of the job's currency.
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 amount);
    /// @notice The referee reproduced that a job cannot run (e.g. its input does not decode) and failed it: the
    /// requester got the whole escrow back and no provider was slashed.
    /// @param jobId The job.
    /// @param reasonHash What the referee found, hashed (keccak256 of a reason code such as "souk.fail.bad-input",
    /// or of the referee's report); the node records the readable reason off-chain.
    event JobFailed(uint256 indexed jobId, bytes32 reasonHash);
    /// @notice A provider was slashed for a job.
    /// @param jobId The job.
    /// @param provider The provider.
    /// @param amount SOUK wei actually taken.
    /// @param reason `REASON_WRONG_RESULT`, `REASON_NO_COMMIT` or `REASON_NO_REVEAL`.
    event ProviderSlashed(uint256 indexed jobId, address indexed provider, uint256 amount, bytes32 reason);
    /// @notice Governance changed the revenue split (bps).
    /// @param providerBps Providers' share.
    /// @param treasuryBps Treasury's share.
    /// @param creatorBps Model creator's share.
    event RevenueSplitSet(uint16 providerBps, uint16 treasuryBps, uint16 creatorBps);
    /// @notice Governance changed the fault slash amount.
    /// @param amount SOUK wei per fault.
    event SlashAmountSet(uint256 amount);
    /// @notice Governance changed the dispute period.
    /// @param period Seconds a referee has after the deadline.
    event DisputePeriodSet(uint64 period);
    /// @notice Governance changed the longest allowed job.
    /// @param duration Seconds.
    event MaxJobDurationSet(uint64 duration);
    /// @notice Governance changed the reveal window.
    /// @param period Seconds providers have to reveal after the last commit.
    event RevealPeriodSet(uint64 period);
    /// @notice Governance changed the audit window.
    /// @param period Seconds after the last reveal reserved for the referee's audit.
    event AuditPeriodSet(uint64 period);
    /// @notice Governance changed the minimum working time.
    /// @param duration Seconds that must be left before the deadline at assignment.
    event MinWorkingTimeSet(uint64 duration);
    /// @notice Governance changed the treasury.
    /// @param treasury The receiver of the treasury share.
    event TreasurySet(address treasury);

    /// @notice Submits a job and escrows `reward` (send it as `msg.value` for native; approve it for an ERC-20).
    /// @dev Reverts {SoukInvalidRedundancy}, {SoukInvalidDeadline}, {SoukInvalidReward}, {SoukCurrencyNotAllowed},
    /// {SoukIncorrectPayment}, `ERC721NonexistentToken` for an unknown model, {SoukAssetNotRunnable} for a dataset,
    /// `EnforcedPause`.
    /// Emits {JobSubmitted}, {JobStatusChanged}.
    /// @param modelId The model's AgentNFT id.
    /// @param inputHash Hash of the input.
    /// @param reward Escrow in wei of `currency`.
    /// @param currency `address(0)` native, else an allow-listed ERC-20.
    /// @param redundancy r, providers that must agree (1..5).
    /// @param deadline Unix seconds; after it the job can be refunded.
    /// @return jobId Sequential from 1.
    function submitJob(
        uint256 modelId,
        bytes32 inputHash,
        uint256 reward,
        address currency,
        uint8 redundancy,
        uint40 deadline
    ) external payable returns (uint256 jobId);

    /// @notice The requester takes back the escrow of a job no provider was assigned to yet. Never paused.
    /// @dev Reverts {SoukNotRequester}, {SoukInvalidJobStatus}. Emits {JobStatusChanged}, {JobRefunded}.
    function cancelJob(uint256 jobId) external;

    /// @notice Assigns exactly `redundancy` distinct active providers (the scheduler, `SCHEDULER_ROLE`), each
    /// with at least the job's `slashAmount` of unlocked stake, which is locked until the job settles; at least
    /// {minWorkingTime} seconds must be left before the deadline.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukDeadlinePassed}, {SoukNotEnoughTimeLeft}, {SoukWrongProviderCount},
    /// {SoukProviderNotActive}, {SoukProviderAlreadyAssigned}, the registry's `SoukInsufficientFreeStake`,
    /// `EnforcedPause`.
    /// Emits {ProviderAssigned} per provider, {JobStatusChanged}.
    function assignProviders(uint256 jobId, address[] calldata providers) external;

    /// @notice Replaces an assigned provider that has not committed (the scheduler). The replaced provider's
    /// failure counter moves and its stake lock is released; the replacement's is taken. Only while the job is still
    /// collecting commits, so a newcomer never sees a reveal, and with at least {minWorkingTime} seconds left.
    /// With `previous = address(0)` it instead fills the first slot vacated by {releaseProvider}: nobody's failure
    /// counter moves and only the replacement's lock is taken.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukDeadlinePassed}, {SoukNotEnoughTimeLeft}, {SoukNotAssigned},
    /// {SoukNoVacantSlot} (`previous = address(0)` and no slot vacated), {SoukAlreadyCommitted},
    /// {SoukProviderNotActive}, {SoukProviderAlreadyAssigned}, the registry's `SoukInsufficientFreeStake`.
    /// Emits {ProviderAssigned}, {ProviderReassigned}.
    /// @param jobId The job.
    /// @param previous The provider to replace, or `address(0)` to fill a vacated slot.
    /// @param replacement The active provider taking the slot.
    function reassignProvider(uint256 jobId, address previous, address replacement) external;

    /// @notice Releases an assigned provider that has not committed because it never received its assignment (the
    /// scheduler, `SCHEDULER_ROLE`, after unanswered announcements, when no replacement is available): its slot is
    /// vacated and its stake lock released, WITHOUT moving its failure counter or touching its stake, so it is never
    /// slashed for work it was not delivered. The job stays Assigned; the scheduler may fill the slot later with
    /// `reassignProvider(jobId, address(0), replacement)`, else at the deadline {refund} returns the escrow and slashes
    /// only providers that held a slot and did not commit. A vacated slot keeps the job from reaching Revealing.
    /// @dev Reverts {SoukInvalidJobStatus} (not Assigned), {SoukDeadlinePassed}, {SoukNotAssigned},
    /// {SoukAlreadyCommitted}, `AccessControlUnauthorizedAccount`. Emits {ProviderReleased}; the registry's
    /// `StakeUnlocked` when the job locks stake.
    /// @param jobId The job.
    /// @param provider The assigned, uncommitted provider to release.
    function releaseProvider(uint256 jobId, address provider) external;

    /// @notice Commits to a result: `commitment = keccak256(abi.encode(resultHash, salt, msg.sender))`.
    /// Binding the provider's address means nobody can replay another provider's commitment.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukDeadlinePassed}, {SoukNotAssigned}, {SoukAlreadyCommitted},
    /// {SoukZeroHash}. Emits {ResultCommitted}; {JobStatusChanged} to Revealing with the last commit.
    function commitResult(uint256 jobId, bytes32 commitment) external;

    /// @notice Opens the caller's commitment. Reveals open only after all r providers committed, and stay open until
    /// the job's deadline, which the last commit moved to at least `revealPeriod` seconds after it.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukDeadlinePassed}, {SoukNotAssigned}, {SoukAlreadyRevealed},
    /// {SoukZeroHash}, {SoukCommitmentMismatch}. Emits {ResultRevealed}; {JobStatusChanged} to Disputed when the
    /// last reveal leaves the results in disagreement. A last reveal that agrees opens the audit window:
    /// `auditEndsAt = now + auditPeriod`.
    function revealResult(uint256 jobId, bytes32 resultHash, bytes32 salt) external;

    /// @notice Pays out a job whose r reveals all agree: providers share the job's `providerBps` equally, the model
    /// creator gets its `creatorBps`, the treasury the rest (plus rounding dust), and the providers' stake locks are
    /// released. The scheduler (`SCHEDULER_ROLE`) may call it as soon as all r reveals are in; anyone else only
    /// once the audit window is over (`block.timestamp > max(deadline, auditEndsAt)`), so the referee always has
    /// `auditPeriod` after the last reveal to audit the job ({challenge}) before a third party, such as the provider
    /// itself, can pay it out. It never expires. Never paused.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukNotReadyToFinalize}, {SoukFinalizeTooEarly}. Emits {ProviderPaid}
    /// per provider, {JobSettled}, {JobStatusChanged}.
    function finalize(uint256 jobId) external;

    /// @notice A random audit (`REFEREE_ROLE`): disputes a job whose r reveals all agree, after the referee
    /// re-executed it and got a different result. The job moves to Disputed and is then settled by
    /// {settleDispute} as any dispute: providers whose result differs from the referee's are slashed, and if none
    /// was right the requester is refunded; unsettled, it is refundable `disputePeriod` after the audit window.
    /// Never paused.
    ///
    /// Why audits deter cheating even at r = 1, where there is no second provider to disagree: the node operator
    /// audits each agreeing job with probability p (its audit rate), and the slash is S. A provider that fakes a
    /// result saves at most the job's payment P, and loses S with probability at least p, so one cheat is worth at
    /// most (1 − p)·P − p·S < P − p·S: cheating does not pay when S ≥ P / p, i.e. stake ≥ payment / audit rate
    /// (e.g. S = 100 SOUK and p = 5 % cover jobs paying up to 5 SOUK's worth). {finalize} is what makes the audit
    /// enforceable: nobody but the scheduler can pay a job out before its audit window ends.
    /// @dev Only inside the audit window (`block.timestamp ≤ max(deadline, auditEndsAt)`), so the referee always
    /// keeps a whole `disputePeriod` to settle before anyone may {refund} the challenged job. Reverts
    /// `AccessControlUnauthorizedAccount` without `REFEREE_ROLE`, {SoukInvalidJobStatus} unless Revealing,
    /// {SoukNotReadyToFinalize} unless all r revealed, {SoukChallengeTooLate} after the audit window.
    /// Emits {JobStatusChanged}, {JobChallenged}.
    function challenge(uint256 jobId) external;

    /// @notice Settles a disputed job with the correct result hash, found by re-execution (`REFEREE_ROLE`).
    /// Providers that revealed it share the providers' part; the others are slashed. If none was right, the
    /// requester is refunded in full. Never paused.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukZeroHash}. Emits {ProviderSlashed}, {ProviderPaid}, {JobSettled}
    /// or {JobRefunded}, {JobStatusChanged}.
    function settleDispute(uint256 jobId, bytes32 correctResultHash) external;

    /// @notice Returns the escrow to the requester once a job cannot complete: after the deadline for jobs without
    /// r matching reveals (assigned providers that did not commit, or committed and did not reveal, are slashed),
    /// or `disputePeriod` after the audit window (`max(deadline, auditEndsAt)`) for a dispute no referee settled
    /// (nobody slashed). Every remaining stake lock of the job is released. Anyone may call it. Never paused.
    /// @dev Reverts {SoukInvalidJobStatus}, {SoukDeadlineNotReached}. Emits {ProviderSlashed}, {JobRefunded},
    /// {JobStatusChanged}.
    function refund(uint256 jobId) external;

    /// @notice Fails a job that cannot run through no provider's fault (`REFEREE_ROLE`): the referee re-executed it
    /// and reproduced a deterministic failure of the job itself (bad input, a model that cannot load it). Allowed
    /// while the job is Open or Assigned, i.e. before any provider revealed. Refunds the requester's whole escrow,
    /// slashes nobody, moves no reputation counter and releases the assigned providers' stake locks. Never paused.
    /// @dev Reverts `AccessControlUnauthorizedAccount` without `REFEREE_ROLE`, {SoukInvalidJobStatus} unless Open or
    /// Assigned. Emits {JobFailed}, {JobStatusChanged}.
    /// @param jobId The job.
    /// @param reasonHash keccak256 of the reason (see {JobFailed}).
    function failJob(uint256 jobId, bytes32 reasonHash) external;

    /// @notice The job (all zero for an unknown id).
    function getJob(uint256 jobId) external view returns (Job memory);

    /// @notice The providers currently assigned to the job, in slot order (r entries; `address(0)` for a slot
    /// vacated by {releaseProvider}); empty before assignment, and for a settled job whose slots were all vacated.
    function providersOf(uint256 jobId) external view returns (address[] memory);

    /// @notice `provider`'s part in the job.
    function getAssignment(uint256 jobId, address provider) external view returns (Assignment memory);

    /// @notice The commitment a provider must submit: keccak256(abi.encode(resultHash, salt, provider)).
    function commitmentOf(bytes32 resultHash, bytes32 salt, address provider) external pure returns (bytes32);

    /// @notice Escrow held for unsettled jobs in `currency`, wei.
    function totalEscrowed(address currency) external view returns (uint256);

    /// @notice Number of jobs ever submitted.
    function jobCount() external view returns (uint256);
}
