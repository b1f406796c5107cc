// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {ComputeMarket} from "../src/ComputeMarket.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {IComputeMarket} from "../src/interfaces/IComputeMarket.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";

/// @title ComputeMarketAuditTest
/// @notice Regression tests for the holes of the "Security and crash safety" audit (items 12, 13, 15, 16), each
/// named after the hole it closes: every one reproduces the exploit and fails on the code before the fix.
contract ComputeMarketAuditTest is SoukFixture {
    bytes32 internal constant INPUT = keccak256("input");
    bytes32 internal constant RESULT = keccak256("result");
    bytes32 internal constant WRONG = keccak256("wrong");
    uint256 internal constant REWARD = 1 ether;
    uint256 internal constant STAKE = 2 * MIN_STAKE;

    uint256 internal modelId;
    address internal p1;
    address internal p2;
    address internal p3;

    function setUp() public override {
        super.setUp();
        modelId = mintModel(creator, 500);
        p1 = newProvider("p1");
        p2 = newProvider("p2");
        p3 = newProvider("p3");
        vm.deal(alice, 1_000 ether);
    }

    // ───────────────────────────── helpers ─────────────────────────────

    function _submit(uint8 r, uint256 duration) internal returns (uint256 id) {
        vm.prank(alice);
        id = compute.submitJob{value: REWARD}(modelId, INPUT, REWARD, address(0), r, uint40(block.timestamp + duration));
    }

    function _assign(uint256 id, address a) internal {
        address[] memory list = new address[](1);
        list[0] = a;
        vm.prank(scheduler);
        compute.assignProviders(id, list);
    }

    function _assign(uint256 id, address a, address b) internal {
        address[] memory list = new address[](2);
        (list[0], list[1]) = (a, b);
        vm.prank(scheduler);
        compute.assignProviders(id, list);
    }

    function _salt(address p) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", p));
    }

    function _commit(uint256 id, address p, bytes32 result) internal {
        bytes32 c = compute.commitmentOf(result, _salt(p), p);
        vm.prank(p);
        compute.commitResult(id, c);
    }

    function _reveal(uint256 id, address p, bytes32 result) internal {
        vm.prank(p);
        compute.revealResult(id, result, _salt(p));
    }

    function _deadline(uint256 id) internal view returns (uint256) {
        return compute.getJob(id).deadline;
    }

    function _status(uint256 id) internal view returns (IComputeMarket.JobStatus) {
        return compute.getJob(id).status;
    }

    /// @dev An r = 1 job run by p1 to a revealed `result`, at once.
    function _revealedJob(bytes32 result) internal returns (uint256 id) {
        id = _submit(1, 1 days);
        _assign(id, p1);
        _commit(id, p1, result);
        _reveal(id, p1, result);
    }

    // ═══════════════ 12. Slashing dodged by unbonding first ═══════════════

    /// @notice The exploit: assigned at T0, the provider commits a wrong result, requests unbonding of its whole
    /// stake, reveals at the deadline and withdraws before the referee settles, so the slash takes nothing. With
    /// locks the stake backing the job cannot be unbonded, and the slash lands in full.
    function test_slashingDodgedByUnbondingFirst_lockedStakeStaysToBeSlashed() public {
        uint256 id = _submit(2, MAX_JOB_DURATION);
        _assign(id, p1, p2);
        _commit(id, p1, WRONG);

        // Unbonding everything is refused: the job's slash amount is locked.
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.SoukInsufficientFreeStake.selector, p1, STAKE - SLASH_AMOUNT, STAKE)
        );
        vm.prank(p1);
        registry.requestUnbond(STAKE);

        // What is not locked may go, and is withdrawn before the referee acts.
        vm.prank(p1);
        registry.requestUnbond(STAKE - SLASH_AMOUNT);
        _commit(id, p2, RESULT);
        vm.warp(_deadline(id));
        _reveal(id, p2, RESULT);
        _reveal(id, p1, WRONG);
        assertEq(uint256(_status(id)), uint256(IComputeMarket.JobStatus.Disputed), "disputed");
        vm.warp(registry.getProvider(p1).unbondableAt);
        vm.prank(p1);
        registry.withdraw();

        uint256 before = souk.balanceOf(treasury);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(souk.balanceOf(treasury) - before, SLASH_AMOUNT, "the fault's slash landed in full");
        assertEq(registry.lockedStake(p1), 0, "lock settled by the slash");
        assertEq(registry.lockedStake(p2), 0, "winner's lock released");
    }

    /// @notice One stake backed any number of concurrent jobs: each assignment now locks the slash amount, so a
    /// provider takes only as many jobs as its stake covers.
    function test_oneStakeBacksManyJobs_assignmentBeyondFreeStakeReverts() public {
        vm.prank(admin);
        compute.setSlashAmount(MIN_STAKE); // two faults empty a 2 × MIN_STAKE stake
        uint256 a = _submit(1, 1 days);
        uint256 b = _submit(1, 1 days);
        uint256 c = _submit(1, 1 days);
        _assign(a, p1);
        _assign(b, p1);
        assertEq(registry.lockedStake(p1), STAKE, "two jobs lock the whole stake");
        address[] memory list = new address[](1);
        list[0] = p1;
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukInsufficientFreeStake.selector, p1, 0, MIN_STAKE));
        vm.prank(scheduler);
        compute.assignProviders(c, list);

        // Settling one frees its share for the next job.
        _commit(a, p1, RESULT);
        _reveal(a, p1, RESULT);
        vm.prank(scheduler);
        compute.finalize(a);
        assertEq(registry.lockedStake(p1), MIN_STAKE, "finalize released the lock");
        _assign(c, p1);
    }

    /// @notice Every way out of a job releases exactly the locks it took: finalize, settleDispute (winner and loser),
    /// refund (non-committer, committer, non-revealer, revealer, unsettled dispute), failJob, reassignProvider.
    function test_locksReleasedOnEveryExit() public {
        // finalize
        uint256 id = _revealedJob(RESULT);
        assertEq(registry.lockedStake(p1), SLASH_AMOUNT, "locked while open");
        vm.prank(scheduler);
        compute.finalize(id);
        assertEq(registry.lockedStake(p1), 0, "finalize");

        // refund of an assigned job: p1 committed (unlocked), p2 did not (slashed, lock settled)
        id = _submit(2, 1 days);
        _assign(id, p1, p2);
        _commit(id, p1, RESULT);
        vm.warp(_deadline(id) + 1);
        compute.refund(id);
        assertEq(registry.lockedStake(p1) + registry.lockedStake(p2), 0, "refund of an assigned job");

        // refund of a revealing job: p1 revealed (unlocked), p2 did not (slashed)
        id = _submit(2, 1 days);
        _assign(id, p1, p2);
        _commit(id, p1, RESULT);
        _commit(id, p2, RESULT);
        _reveal(id, p1, RESULT);
        vm.warp(_deadline(id) + 1);
        compute.refund(id);
        assertEq(registry.lockedStake(p1) + registry.lockedStake(p2), 0, "refund of a revealing job");

        // unsettled dispute refunded: nobody slashed, both unlocked
        id = _submit(2, 1 days);
        _assign(id, p1, p2);
        _commit(id, p1, RESULT);
        _commit(id, p2, WRONG);
        _reveal(id, p1, RESULT);
        _reveal(id, p2, WRONG);
        vm.warp(_deadline(id) + DISPUTE_PERIOD + 1);
        uint256 stake2 = registry.getProvider(p2).stake;
        compute.refund(id);
        assertEq(registry.getProvider(p2).stake, stake2, "an unsettled dispute slashes nobody");
        assertEq(registry.lockedStake(p1) + registry.lockedStake(p2), 0, "refund of a dispute");

        // failJob of an assigned job
        id = _submit(2, 1 days);
        _assign(id, p1, p2);
        vm.prank(referee);
        compute.failJob(id, keccak256("souk.fail.bad-input"));
        assertEq(registry.lockedStake(p1) + registry.lockedStake(p2), 0, "failJob");

        // reassignProvider moves the lock from the replaced provider to its replacement
        id = _submit(1, 1 days);
        _assign(id, p1);
        vm.prank(scheduler);
        compute.reassignProvider(id, p1, p3);
        assertEq(registry.lockedStake(p1), 0, "replaced provider released");
        assertEq(registry.lockedStake(p3), SLASH_AMOUNT, "replacement locked");
        vm.prank(referee);
        compute.failJob(id, bytes32(0));
        assertEq(registry.lockedStake(p3), 0, "released at the end");
    }

    /// @notice The unbonding period must outlast a job's whole life; each side's setters refuse to break it.
    function test_unbondingShorterThanAJobsLife_refusedByBothContracts() public {
        uint256 lifetime = compute.jobLifetime();
        assertEq(lifetime, MAX_JOB_DURATION + REVEAL_PERIOD + AUDIT_PERIOD + DISPUTE_PERIOD, "lifetime");
        assertEq(uint256(registry.minUnbondingPeriod()), lifetime, "floor pushed to the registry");

        // The registry refuses to go below it …
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.SoukUnbondingPeriodTooShort.selector, lifetime - 1, lifetime)
        );
        vm.prank(admin);
        registry.setUnbondingPeriod(uint64(lifetime - 1));

        // … and the ComputeMarket refuses to lengthen a job past the unbonding period.
        uint64 longer = UNBONDING_PERIOD - uint64(REVEAL_PERIOD + AUDIT_PERIOD + DISPUTE_PERIOD) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukUnbondingTooShort.selector, UNBONDING_PERIOD, UNBONDING_PERIOD + 1)
        );
        vm.prank(admin);
        compute.setMaxJobDuration(longer);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComputeMarket.SoukUnbondingTooShort.selector, UNBONDING_PERIOD, lifetime - DISPUTE_PERIOD + 30 days
            )
        );
        vm.prank(admin);
        compute.setDisputePeriod(30 days);

        // Shortening a job lowers the floor, which then lets the registry shorten unbonding.
        vm.prank(admin);
        compute.setMaxJobDuration(1 days);
        uint256 shorter = compute.jobLifetime();
        assertEq(uint256(registry.minUnbondingPeriod()), shorter, "floor follows");
        vm.prank(admin);
        registry.setUnbondingPeriod(uint64(shorter));

        // A deployment whose unbonding period does not cover the job's life is refused outright.
        ProviderRegistry quick = new ProviderRegistry(souk, admin, MIN_STAKE, 1 days, treasury);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukUnbondingTooShort.selector, 1 days, lifetime));
        new ComputeMarket(
            nft,
            quick,
            ComputeMarket.Config({
                admin: admin,
                guardian: guardian,
                treasury: treasury,
                slashAmount: SLASH_AMOUNT,
                disputePeriod: DISPUTE_PERIOD,
                maxJobDuration: MAX_JOB_DURATION,
                revealPeriod: REVEAL_PERIOD,
                auditPeriod: AUDIT_PERIOD,
                minWorkingTime: MIN_WORKING_TIME
            })
        );
    }

    function test_lockStake_onlySlasher() public {
        bytes32 role = registry.SLASHER_ROLE();
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", p1, role));
        vm.prank(p1);
        registry.lockStake(p1, 1);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", p1, role));
        vm.prank(p1);
        registry.unlockStake(p1, 1);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", p1, role));
        vm.prank(p1);
        registry.setMinUnbondingPeriod(0);
    }

    /// @notice Fuzz: whatever is locked, unbonding more than the unlocked stake reverts and up to it succeeds;
    /// locked never exceeds stake, even after slashes.
    function test_fuzz_lockedStakeNeverUnbondedAndNeverAboveStake(uint256 lockSeed, uint256 slashSeed, uint256 unbond)
        public
    {
        uint256 lock = bound(lockSeed, 1, STAKE);
        vm.startPrank(address(compute));
        registry.lockStake(p1, lock);
        uint256 slashed = registry.slash(p1, bound(slashSeed, 0, STAKE), bytes32(0));
        vm.stopPrank();
        uint256 stake = registry.getProvider(p1).stake;
        uint256 locked = registry.lockedStake(p1);
        assertLe(locked, stake, "locked <= stake");
        assertEq(locked, lock > slashed ? (lock - slashed > stake ? stake : lock - slashed) : 0, "lock settled");
        unbond = bound(unbond, 1, STAKE);
        vm.prank(p1);
        if (unbond > stake) {
            vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukUnbondExceedsStake.selector, p1, unbond, stake));
        } else if (unbond > stake - locked) {
            vm.expectRevert(
                abi.encodeWithSelector(IProviderRegistry.SoukInsufficientFreeStake.selector, p1, stake - locked, unbond)
            );
        }
        registry.requestUnbond(unbond);
    }

    // ═══════════════ 13. Audit window closed by the provider ═══════════════

    /// @notice The exploit: the provider reveals a fake result at the last second and finalizes one second later,
    /// before the referee could audit; the challenge then reverts and the fake is paid. Now anyone but the
    /// scheduler waits for `auditPeriod` after the last reveal, and the referee can still challenge.
    function test_auditWindowClosedByProvider_selfFinalizeAfterLastSecondRevealReverts() public {
        uint256 id = _submit(1, 1 days);
        _assign(id, p1);
        _commit(id, p1, WRONG);
        uint256 deadline = _deadline(id);
        vm.warp(deadline);
        _reveal(id, p1, WRONG);
        vm.warp(deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukFinalizeTooEarly.selector, id, deadline + AUDIT_PERIOD + 1)
        );
        vm.prank(p1);
        compute.finalize(id);

        vm.warp(deadline + AUDIT_PERIOD); // the audit window's last second
        vm.prank(referee);
        compute.challenge(id);
        uint256 before = registry.getProvider(p1).stake;
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(registry.getProvider(p1).stake, before - SLASH_AMOUNT, "the fake was slashed, not paid");
        assertEq(uint256(_status(id)), uint256(IComputeMarket.JobStatus.Refunded), "requester refunded");
    }

    /// @notice Fuzz: after the last reveal at `revealAt`, a third party may finalize only after
    /// max(deadline, revealAt + auditPeriod); the scheduler at any time.
    function test_fuzz_finalize_onlySchedulerInsideAuditWindow(uint256 revealDelay, uint256 finalizeDelay) public {
        uint256 id = _submit(1, 1 days);
        _assign(id, p1);
        _commit(id, p1, RESULT);
        uint256 deadline = _deadline(id);
        vm.warp(block.timestamp + bound(revealDelay, 0, deadline - block.timestamp));
        _reveal(id, p1, RESULT);
        uint256 auditEnd = block.timestamp + AUDIT_PERIOD > deadline ? block.timestamp + AUDIT_PERIOD : deadline;
        assertEq(uint256(compute.getJob(id).auditEndsAt), block.timestamp + AUDIT_PERIOD, "auditEndsAt");
        vm.warp(block.timestamp + bound(finalizeDelay, 0, 3 days));
        if (block.timestamp <= auditEnd) {
            vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukFinalizeTooEarly.selector, id, auditEnd + 1));
        }
        vm.prank(bob);
        compute.finalize(id);
        if (block.timestamp <= auditEnd) {
            vm.prank(scheduler);
            compute.finalize(id);
        }
        assertEq(uint256(_status(id)), uint256(IComputeMarket.JobStatus.Finalized), "finalized");
    }

    // ═══════════════ 15. Assigned with no time to work ═══════════════

    /// @notice The exploit: the scheduler assigns a provider seconds before the deadline; it cannot finish, and
    /// refund then slashes it. Every assignment now needs `minWorkingTime` left.
    function test_assignedWithNoTimeToWork_lateAssignmentReverts() public {
        uint256 id = _submit(1, 1 days);
        uint256 deadline = _deadline(id);
        vm.warp(deadline - 10);
        address[] memory list = new address[](1);
        list[0] = p1;
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukNotEnoughTimeLeft.selector, id, 10, MIN_WORKING_TIME)
        );
        vm.prank(scheduler);
        compute.assignProviders(id, list);

        // Nobody was assigned, so the expiry refund slashes nobody.
        vm.warp(deadline + 1);
        uint256 before = registry.getProvider(p1).stake;
        compute.refund(id);
        assertEq(registry.getProvider(p1).stake, before, "nobody slashed");
    }

    function test_assignedWithNoTimeToWork_lateReassignmentReverts() public {
        uint256 id = _submit(1, 1 days);
        _assign(id, p1);
        uint256 deadline = _deadline(id);
        vm.warp(deadline - MIN_WORKING_TIME + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukNotEnoughTimeLeft.selector, id, MIN_WORKING_TIME - 1, MIN_WORKING_TIME)
        );
        vm.prank(scheduler);
        compute.reassignProvider(id, p1, p2);
        vm.warp(deadline - MIN_WORKING_TIME - 1);
        vm.prank(scheduler);
        compute.reassignProvider(id, p1, p2);
        assertEq(compute.providersOf(id)[0], p2, "reassigned with time left");
    }

    /// @notice Fuzz: an assignment succeeds exactly when at least `minWorkingTime` is left.
    function test_fuzz_assignProviders_needsMinWorkingTime(uint256 delay) public {
        uint256 id = _submit(1, 1 days);
        uint256 deadline = _deadline(id);
        vm.warp(block.timestamp + bound(delay, 0, deadline - block.timestamp));
        uint256 left = deadline - block.timestamp;
        address[] memory list = new address[](1);
        list[0] = p1;
        if (left < MIN_WORKING_TIME) {
            vm.expectRevert(
                abi.encodeWithSelector(IComputeMarket.SoukNotEnoughTimeLeft.selector, id, left, MIN_WORKING_TIME)
            );
        }
        vm.prank(scheduler);
        compute.assignProviders(id, list);
    }

    function test_setMinWorkingTime_updatesAndEnforcesBounds() public {
        vm.startPrank(admin);
        vm.expectEmit(false, false, false, true, address(compute));
        emit IComputeMarket.MinWorkingTimeSet(10 minutes);
        compute.setMinWorkingTime(10 minutes);
        assertEq(uint256(compute.minWorkingTime()), 10 minutes, "set");
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 1 days + 1));
        compute.setMinWorkingTime(1 days + 1);
        compute.setMaxJobDuration(1 hours);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 1 hours));
        compute.setMinWorkingTime(1 hours); // must stay below the longest job
        vm.stopPrank();
    }

    // ═══════════════ 16. Parameters change under running jobs ═══════════════

    /// @notice Governance changes the split, the slash amount and the periods while a job runs: the job settles
    /// on the terms it was submitted under.
    function test_parametersChangedUnderRunningJob_settlementUsesSubmissionTerms() public {
        uint256 id = _submit(2, 1 days);
        _assign(id, p1, p2);
        vm.startPrank(admin);
        compute.setRevenueSplit(5_000, 4_000, 1_000);
        compute.setSlashAmount(500 ether);
        compute.setRevealPeriod(1 minutes);
        compute.setAuditPeriod(1 minutes);
        compute.setDisputePeriod(2 hours);
        vm.stopPrank();

        IComputeMarket.Job memory job = compute.getJob(id);
        assertEq(uint256(job.providerBps), 8_000, "provider bps snapshot");
        assertEq(uint256(job.creatorBps), 500, "creator bps snapshot");
        assertEq(uint256(job.slashAmount), SLASH_AMOUNT, "slash snapshot");
        assertEq(uint256(job.revealPeriod), REVEAL_PERIOD, "reveal snapshot");
        assertEq(uint256(job.auditPeriod), AUDIT_PERIOD, "audit snapshot");
        assertEq(uint256(job.disputePeriod), DISPUTE_PERIOD, "dispute snapshot");

        // The last commit lands at the deadline: the reveal window is the job's own hour, not the new minute.
        uint256 deadline = _deadline(id);
        _commit(id, p1, RESULT);
        vm.warp(deadline);
        _commit(id, p2, WRONG);
        assertEq(uint256(_deadline(id)), deadline + REVEAL_PERIOD, "reveal window from the snapshot");
        _reveal(id, p1, RESULT);
        _reveal(id, p2, WRONG);

        // The dispute keeps the job's own dispute period, not the new two hours.
        vm.warp(_deadline(id) + 2 hours + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukDeadlineNotReached.selector, id, _deadline(id) + DISPUTE_PERIOD)
        );
        compute.refund(id);

        uint256 slashBefore = registry.getProvider(p2).stake;
        uint256 p1Before = p1.balance;
        uint256 creatorBefore = creator.balance;
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(slashBefore - registry.getProvider(p2).stake, SLASH_AMOUNT, "slashed the submission's amount");
        assertEq(p1.balance - p1Before, REWARD * 8_000 / 10_000, "provider paid the submission's split");
        assertEq(creator.balance - creatorBefore, REWARD * 500 / 10_000, "creator paid the submission's split");

        // A job submitted now runs on the new terms.
        uint256 next = _submit(1, 1 days);
        assertEq(uint256(compute.getJob(next).providerBps), 5_000, "new jobs, new split");
        assertEq(uint256(compute.getJob(next).slashAmount), 500 ether, "new jobs, new slash");
    }

    /// @notice The exploit: a challenge after deadline + disputePeriod can be raced by refund, and nobody is
    /// slashed. Challenges are now confined to the audit window.
    function test_lateChallengeRacedByRefund_challengeAfterAuditWindowReverts() public {
        uint256 id = _revealedJob(WRONG);
        uint256 auditEnd = _deadline(id); // the reveal came early: the deadline ends the audit window
        vm.warp(auditEnd + DISPUTE_PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukChallengeTooLate.selector, id, auditEnd));
        vm.prank(referee);
        compute.challenge(id);
    }

    /// @notice A challenge at the audit window's last second still leaves the referee a whole dispute period
    /// before anyone may refund.
    function test_challengeAtTheLastSecond_keepsAWholeDisputePeriod() public {
        uint256 id = _submit(1, 1 days);
        _assign(id, p1);
        _commit(id, p1, WRONG);
        vm.warp(_deadline(id));
        _reveal(id, p1, WRONG);
        uint256 auditEnd = block.timestamp + AUDIT_PERIOD;
        vm.warp(auditEnd);
        vm.prank(referee);
        compute.challenge(id);
        vm.warp(auditEnd + DISPUTE_PERIOD);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukDeadlineNotReached.selector, id, auditEnd + DISPUTE_PERIOD)
        );
        compute.refund(id);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(uint256(_status(id)), uint256(IComputeMarket.JobStatus.Refunded), "settled, liar slashed");
    }

    function test_setAuditPeriod_updatesAndEnforcesBounds() public {
        vm.startPrank(admin);
        vm.expectEmit(false, false, false, true, address(compute));
        emit IComputeMarket.AuditPeriodSet(2 hours);
        compute.setAuditPeriod(2 hours);
        assertEq(uint256(compute.auditPeriod()), 2 hours, "set");
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 59));
        compute.setAuditPeriod(59);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 7 days + 1));
        compute.setAuditPeriod(7 days + 1);
        vm.stopPrank();
    }

    /// @notice setRevealPeriod had no positive test: it sets, emits, applies to jobs submitted after it, and
    /// enforces 1 minute..7 days.
    function test_setRevealPeriod_updatesEmitsAndAppliesToNewJobs() public {
        vm.expectEmit(false, false, false, true, address(compute));
        emit IComputeMarket.RevealPeriodSet(2 hours);
        vm.prank(admin);
        compute.setRevealPeriod(2 hours);
        assertEq(uint256(compute.revealPeriod()), 2 hours, "set");
        uint256 id = _submit(1, 1 days);
        _assign(id, p1);
        uint256 deadline = _deadline(id);
        vm.warp(deadline);
        _commit(id, p1, RESULT);
        assertEq(uint256(_deadline(id)), deadline + 2 hours, "the new reveal window");
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 59));
        compute.setRevealPeriod(59);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 7 days + 1));
        compute.setRevealPeriod(7 days + 1);
        vm.stopPrank();
    }

    function test_setSlashAmount_revertsAboveUint96() public {
        uint256 tooMuch = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidSlashAmount.selector, tooMuch));
        vm.prank(admin);
        compute.setSlashAmount(tooMuch);
    }
}
