// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {Vm} from "./utils/Vm.sol";
import {RevertingReceiver, GasBurningReceiver, ReentrantReceiver} from "./utils/mocks/Receivers.sol";
import {ComputeBlockingERC20} from "./utils/mocks/ComputeBlockingERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ComputeMarket} from "../src/ComputeMarket.sol";
import {IComputeMarket} from "../src/interfaces/IComputeMarket.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";
import {IPayouts} from "../src/interfaces/IPayouts.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";

interface IExecutor {
    function execute(address target, bytes calldata data) external payable returns (bytes memory);
}

contract ComputeMarketTest is SoukFixture {
    bytes32 internal constant INPUT = keccak256("input");
    bytes32 internal constant RESULT = keccak256("result");
    bytes32 internal constant WRONG = keccak256("wrong");
    uint256 internal constant REWARD = 1 ether;
    address internal constant NATIVE = address(0);

    uint256 internal modelId;
    address[6] internal ps;
    bytes32 internal reasonWrong;
    bytes32 internal reasonNoCommit;
    bytes32 internal reasonNoReveal;
    bytes32 internal schedulerRole;
    bytes32 internal refereeRole;
    bytes32 internal adminRole;

    function setUp() public override {
        super.setUp();
        modelId = mintModel(creator, 500);
        string[6] memory names = ["p1", "p2", "p3", "p4", "p5", "p6"];
        for (uint256 i; i < 6; ++i) {
            ps[i] = newProvider(names[i]);
        }
        vm.deal(alice, 1_000_000 ether);
        reasonWrong = compute.REASON_WRONG_RESULT();
        reasonNoCommit = compute.REASON_NO_COMMIT();
        reasonNoReveal = compute.REASON_NO_REVEAL();
        schedulerRole = compute.SCHEDULER_ROLE();
        refereeRole = compute.REFEREE_ROLE();
        adminRole = compute.DEFAULT_ADMIN_ROLE();
    }

    // ───────────────────────────── helpers ─────────────────────────────

    function _deadline() internal view returns (uint40) {
        return uint40(block.timestamp + 1 days);
    }

    function _submit(uint256 reward, uint8 r) internal returns (uint256) {
        return _submitAt(reward, r, _deadline());
    }

    function _submitAt(uint256 reward, uint8 r, uint40 deadline) internal returns (uint256 id) {
        vm.prank(alice);
        id = compute.submitJob{value: reward}(modelId, INPUT, reward, NATIVE, r, deadline);
    }

    function _first(uint256 r) internal view returns (address[] memory a) {
        a = new address[](r);
        for (uint256 i; i < r; ++i) {
            a[i] = ps[i];
        }
    }

    function _list(address x) internal pure returns (address[] memory a) {
        a = new address[](1);
        a[0] = x;
    }

    function _list(address x, address y) internal pure returns (address[] memory a) {
        a = new address[](2);
        a[0] = x;
        a[1] = y;
    }

    function _assign(uint256 id, address[] memory a) internal {
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    function _salt(address p) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", p));
    }

    function _commitment(bytes32 result, bytes32 salt, address p) internal pure returns (bytes32) {
        return keccak256(abi.encode(result, salt, p));
    }

    function _commit(uint256 id, address p, bytes32 result) internal {
        bytes32 c = _commitment(result, _salt(p), p);
        vm.prank(p);
        compute.commitResult(id, c);
    }

    function _reveal(uint256 id, address p, bytes32 result) internal {
        bytes32 salt = _salt(p);
        vm.prank(p);
        compute.revealResult(id, result, salt);
    }

    /// @dev Submits, assigns the first r providers, and has them commit and reveal `results[i]`.
    function _run(uint256 reward, bytes32[] memory results) internal returns (uint256 id, address[] memory a) {
        uint8 r = uint8(results.length);
        id = _submit(reward, r);
        a = _first(r);
        _assign(id, a);
        for (uint256 i; i < r; ++i) {
            _commit(id, a[i], results[i]);
        }
        for (uint256 i; i < r; ++i) {
            _reveal(id, a[i], results[i]);
        }
    }

    function _same(uint256 r) internal pure returns (bytes32[] memory results) {
        results = new bytes32[](r);
        for (uint256 i; i < r; ++i) {
            results[i] = RESULT;
        }
    }

    function _status(uint256 id) internal view returns (IComputeMarket.JobStatus) {
        return compute.getJob(id).status;
    }

    function _assertStatus(uint256 id, IComputeMarket.JobStatus expected) internal view {
        assertEq(uint256(_status(id)), uint256(expected), "status");
    }

    function _assertMoney() internal view {
        assertEq(
            address(compute).balance,
            compute.totalEscrowed(NATIVE) + compute.totalCredits(NATIVE),
            "native balance == escrow + credits"
        );
        assertEq(
            usd.balanceOf(address(compute)),
            compute.totalEscrowed(address(usd)) + compute.totalCredits(address(usd)),
            "usd balance == escrow + credits"
        );
    }

    function _provider(address p) internal view returns (IProviderRegistry.Provider memory) {
        return registry.getProvider(p);
    }

    /// @dev Finalizes as the scheduler, who need not wait for the reveal window to end.
    function _finalize(uint256 id) internal {
        vm.prank(scheduler);
        compute.finalize(id);
    }

    function _challenge(uint256 id) internal {
        vm.prank(referee);
        compute.challenge(id);
    }

    function _expectStatusRevert(uint256 id, IComputeMarket.JobStatus status) internal {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidJobStatus.selector, id, status));
    }

    /// @dev Registers a receiver contract as a provider through its `execute` helper.
    function _registerContract(address c) internal {
        vm.prank(treasury);
        souk.transfer(c, MIN_STAKE * 2);
        IExecutor(c).execute(address(souk), abi.encodeCall(souk.approve, (address(registry), MIN_STAKE * 2)));
        IExecutor(c).execute(address(registry), abi.encodeCall(registry.register, ("ipfs://c", MIN_STAKE * 2)));
    }

    function _commitVia(uint256 id, address c, bytes32 result) internal {
        IExecutor(c).execute(
            address(compute), abi.encodeCall(compute.commitResult, (id, _commitment(result, _salt(c), c)))
        );
    }

    function _revealVia(uint256 id, address c, bytes32 result) internal {
        IExecutor(c).execute(address(compute), abi.encodeCall(compute.revealResult, (id, result, _salt(c))));
    }

    // ───────────────────────────── constructor & views ─────────────────────────────

    function test_constructor_setsDefaults() public view {
        assertEq(uint256(compute.providerBps()), 8_000, "provider bps");
        assertEq(uint256(compute.treasuryBps()), 1_500, "treasury bps");
        assertEq(uint256(compute.creatorBps()), 500, "creator bps");
        assertEq(compute.treasury(), treasury, "treasury");
        assertEq(compute.slashAmount(), SLASH_AMOUNT, "slash amount");
        assertEq(uint256(compute.disputePeriod()), DISPUTE_PERIOD, "dispute period");
        assertEq(uint256(compute.maxJobDuration()), MAX_JOB_DURATION, "max duration");
        assertEq(address(compute.registry()), address(registry), "registry");
        assertEq(address(compute.agentNFT()), address(nft), "nft");
        assertTrue(compute.isCurrencyAllowed(NATIVE), "native allowed");
    }

    function test_commitmentOf_bindsResultSaltAndProvider() public view {
        bytes32 c = compute.commitmentOf(RESULT, bytes32("s"), ps[0]);
        assertEq(c, _commitment(RESULT, bytes32("s"), ps[0]), "formula");
        assertTrue(c != compute.commitmentOf(RESULT, bytes32("s"), ps[1]), "provider-bound");
    }

    // ───────────────────────────── submitJob ─────────────────────────────

    function test_submitJob_escrowsRewardAndEmits() public {
        uint40 deadline = _deadline();
        vm.expectEmit(true, true, true, true, address(compute));
        emit IComputeMarket.JobSubmitted(1, alice, modelId, INPUT, NATIVE, REWARD, 3, deadline);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(1, IComputeMarket.JobStatus.None, IComputeMarket.JobStatus.Open);
        uint256 id = _submitAt(REWARD, 3, deadline);

        assertEq(id, 1, "first id");
        assertEq(compute.jobCount(), 1, "count");
        IComputeMarket.Job memory job = compute.getJob(id);
        assertEq(job.requester, alice, "requester");
        assertEq(uint256(job.deadline), deadline, "deadline");
        assertEq(uint256(job.redundancy), 3, "r");
        assertEq(job.currency, NATIVE, "currency");
        assertEq(uint256(job.reward), REWARD, "reward");
        assertEq(job.modelId, modelId, "model");
        assertEq(job.inputHash, INPUT, "input");
        assertEq(job.resultHash, bytes32(0), "no result");
        _assertStatus(id, IComputeMarket.JobStatus.Open);
        assertEq(compute.totalEscrowed(NATIVE), REWARD, "escrowed");
        assertEq(address(compute).balance, REWARD, "held");
        assertEq(compute.providersOf(id).length, 0, "no providers yet");
        _assertMoney();
    }

    function test_submitJob_assignsSequentialIds() public {
        assertEq(_submit(REWARD, 1), 1, "first");
        assertEq(_submit(REWARD, 1), 2, "second");
        assertEq(compute.totalEscrowed(NATIVE), 2 * REWARD, "both escrowed");
    }

    function test_submitJob_revertsIfRedundancyZero() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidRedundancy.selector, 0));
        _submit(REWARD, 0);
    }

    function test_submitJob_revertsIfRedundancyAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidRedundancy.selector, 6));
        _submit(REWARD, 6);
    }

    function test_submitJob_acceptsMaxRedundancy() public {
        uint256 id = _submit(REWARD, 5);
        assertEq(uint256(compute.getJob(id).redundancy), 5, "r = 5");
    }

    function test_submitJob_revertsIfDeadlineNow() public {
        uint256 earliest = block.timestamp + MIN_WORKING_TIME;
        uint256 latest = block.timestamp + MAX_JOB_DURATION;
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukInvalidDeadline.selector, block.timestamp, earliest, latest)
        );
        _submitAt(REWARD, 1, uint40(block.timestamp));
    }

    function test_submitJob_revertsIfDeadlinePast() public {
        uint256 earliest = block.timestamp + MIN_WORKING_TIME;
        uint256 latest = block.timestamp + MAX_JOB_DURATION;
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukInvalidDeadline.selector, block.timestamp - 1, earliest, latest)
        );
        _submitAt(REWARD, 1, uint40(block.timestamp - 1));
    }

    function test_submitJob_revertsIfDeadlineLeavesLessThanMinWorkingTime() public {
        uint256 earliest = block.timestamp + MIN_WORKING_TIME;
        uint256 latest = block.timestamp + MAX_JOB_DURATION;
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukInvalidDeadline.selector, earliest - 1, earliest, latest)
        );
        _submitAt(REWARD, 1, uint40(earliest - 1));
        _submitAt(REWARD, 1, uint40(earliest)); // exactly the minimum is accepted
    }

    function test_submitJob_acceptsAnyFutureDeadlineWithoutMinWorkingTime() public {
        vm.prank(admin);
        compute.setMinWorkingTime(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComputeMarket.SoukInvalidDeadline.selector,
                block.timestamp,
                block.timestamp + 1,
                block.timestamp + MAX_JOB_DURATION
            )
        );
        _submitAt(REWARD, 1, uint40(block.timestamp));
        _submitAt(REWARD, 1, uint40(block.timestamp + 1));
    }

    function test_submitJob_revertsIfDeadlineTooFar() public {
        uint256 earliest = block.timestamp + MIN_WORKING_TIME;
        uint256 latest = block.timestamp + MAX_JOB_DURATION;
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.SoukInvalidDeadline.selector, latest + 1, earliest, latest)
        );
        _submitAt(REWARD, 1, uint40(latest + 1));
    }

    function test_submitJob_acceptsDeadlineAtMaxDuration() public {
        uint256 id = _submitAt(REWARD, 1, uint40(block.timestamp + MAX_JOB_DURATION));
        assertEq(uint256(compute.getJob(id).deadline), block.timestamp + MAX_JOB_DURATION, "deadline");
    }

    function test_submitJob_revertsIfRewardZero() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidReward.selector, 0));
        _submit(0, 1);
    }

    function test_submitJob_revertsIfRewardAboveUint96() public {
        uint256 reward = uint256(type(uint96).max) + 1;
        vm.deal(alice, reward);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidReward.selector, reward));
        _submit(reward, 1);
    }

    function test_submitJob_revertsIfModelUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 999));
        vm.prank(alice);
        compute.submitJob{value: REWARD}(999, INPUT, REWARD, NATIVE, 1, _deadline());
    }

    function test_submitJob_revertsIfMsgValueWrong() public {
        uint40 deadline = _deadline();
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, REWARD - 1, REWARD));
        vm.prank(alice);
        compute.submitJob{value: REWARD - 1}(modelId, INPUT, REWARD, NATIVE, 1, deadline);

        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, REWARD + 1, REWARD));
        vm.prank(alice);
        compute.submitJob{value: REWARD + 1}(modelId, INPUT, REWARD, NATIVE, 1, deadline);
        assertEq(compute.jobCount(), 0, "nothing submitted");
    }

    function test_submitJob_escrowsErc20() public {
        usd.mint(alice, 500e6);
        vm.prank(alice);
        usd.approve(address(compute), 500e6);
        uint40 deadline = _deadline();
        vm.expectEmit(true, true, true, true, address(compute));
        emit IComputeMarket.JobSubmitted(1, alice, modelId, INPUT, address(usd), 500e6, 1, deadline);
        vm.prank(alice);
        uint256 id = compute.submitJob(modelId, INPUT, 500e6, address(usd), 1, deadline);
        assertEq(usd.balanceOf(address(compute)), 500e6, "pulled");
        assertEq(usd.balanceOf(alice), 0, "from alice");
        assertEq(compute.totalEscrowed(address(usd)), 500e6, "escrowed");
        assertEq(compute.getJob(id).currency, address(usd), "currency");
        _assertMoney();
    }

    function test_submitJob_revertsIfErc20WithNativeValue() public {
        usd.mint(alice, 500e6);
        vm.prank(alice);
        usd.approve(address(compute), 500e6);
        uint40 deadline = _deadline();
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, 1, 0));
        vm.prank(alice);
        compute.submitJob{value: 1}(modelId, INPUT, 500e6, address(usd), 1, deadline);
    }

    function test_submitJob_revertsIfCurrencyNotAllowed() public {
        ComputeBlockingERC20 other = new ComputeBlockingERC20();
        uint40 deadline = _deadline();
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, address(other)));
        vm.prank(alice);
        compute.submitJob(modelId, INPUT, 1e6, address(other), 1, deadline);
    }

    function test_submitJob_revertsIfPaused() public {
        vm.prank(guardian);
        compute.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        _submit(REWARD, 1);
    }

    // ───────────────────────────── cancelJob ─────────────────────────────

    function test_cancelJob_refundsRequesterAndEmits() public {
        uint256 id = _submit(REWARD, 2);
        uint256 before = alice.balance;
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Open, IComputeMarket.JobStatus.Refunded);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.JobRefunded(id, alice, REWARD);
        vm.prank(alice);
        compute.cancelJob(id);
        assertEq(alice.balance - before, REWARD, "refunded");
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow released");
        _assertMoney();
    }

    function test_cancelJob_revertsIfNotRequester() public {
        uint256 id = _submit(REWARD, 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotRequester.selector, id, bob));
        vm.prank(bob);
        compute.cancelJob(id);
    }

    function test_cancelJob_revertsIfAssigned() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _expectStatusRevert(id, IComputeMarket.JobStatus.Assigned);
        vm.prank(alice);
        compute.cancelJob(id);
    }

    function test_cancelJob_revertsIfAlreadyCancelled() public {
        uint256 id = _submit(REWARD, 1);
        vm.prank(alice);
        compute.cancelJob(id);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Refunded);
        vm.prank(alice);
        compute.cancelJob(id);
    }

    function test_cancelJob_worksAfterDeadline() public {
        uint256 id = _submit(REWARD, 1);
        vm.warp(block.timestamp + 30 days);
        vm.prank(alice);
        compute.cancelJob(id);
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
    }

    // ───────────────────────────── assignProviders ─────────────────────────────

    function test_assignProviders_assignsAndEmits() public {
        uint256 id = _submit(REWARD, 3);
        address[] memory a = _first(3);
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(true, true, false, true, address(compute));
            emit IComputeMarket.ProviderAssigned(id, a[i]);
        }
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Open, IComputeMarket.JobStatus.Assigned);
        _assign(id, a);

        _assertStatus(id, IComputeMarket.JobStatus.Assigned);
        address[] memory got = compute.providersOf(id);
        assertEq(got.length, 3, "three slots");
        for (uint256 i; i < 3; ++i) {
            assertEq(got[i], a[i], "slot order");
            assertTrue(compute.getAssignment(id, a[i]).assigned, "assigned");
        }
        assertFalse(compute.getAssignment(id, ps[3]).assigned, "others not");
    }

    function test_assignProviders_revertsIfNotScheduler() public {
        uint256 id = _submit(REWARD, 1);
        address[] memory a = _first(1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, schedulerRole)
        );
        vm.prank(alice);
        compute.assignProviders(id, a);
    }

    function test_assignProviders_revertsIfCountMismatch() public {
        uint256 id = _submit(REWARD, 3);
        address[] memory a = _first(2);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukWrongProviderCount.selector, id, 2, 3));
        vm.prank(scheduler);
        compute.assignProviders(id, a);

        a = _first(4);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukWrongProviderCount.selector, id, 4, 3));
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    function test_assignProviders_revertsIfProviderUnregistered() public {
        uint256 id = _submit(REWARD, 2);
        address[] memory a = _list(ps[0], bob);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukProviderNotActive.selector, bob));
        vm.prank(scheduler);
        compute.assignProviders(id, a);
        _assertStatus(id, IComputeMarket.JobStatus.Open);
        assertFalse(compute.getAssignment(id, ps[0]).assigned, "rolled back");
    }

    function test_assignProviders_revertsIfProviderBelowMinStake() public {
        vm.prank(ps[0]);
        registry.requestUnbond(MIN_STAKE + 1);
        uint256 id = _submit(REWARD, 1);
        address[] memory a = _first(1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukProviderNotActive.selector, ps[0]));
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    function test_assignProviders_revertsIfDuplicate() public {
        uint256 id = _submit(REWARD, 2);
        address[] memory a = _list(ps[0], ps[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukProviderAlreadyAssigned.selector, id, ps[0]));
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    function test_assignProviders_revertsIfAfterDeadline() public {
        uint256 id = _submit(REWARD, 1);
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline + 1);
        address[] memory a = _first(1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    function test_assignProviders_worksWithExactlyMinWorkingTimeLeft() public {
        uint256 id = _submit(REWARD, 1);
        vm.warp(compute.getJob(id).deadline - MIN_WORKING_TIME);
        _assign(id, _first(1));
        _assertStatus(id, IComputeMarket.JobStatus.Assigned);
    }

    function test_assignProviders_revertsIfAlreadyAssigned() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        address[] memory a = _list(ps[1]);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Assigned);
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    function test_assignProviders_revertsIfUnknownJob() public {
        address[] memory a = _first(1);
        _expectStatusRevert(42, IComputeMarket.JobStatus.None);
        vm.prank(scheduler);
        compute.assignProviders(42, a);
    }

    function test_assignProviders_revertsIfPaused() public {
        uint256 id = _submit(REWARD, 1);
        vm.prank(guardian);
        compute.pause();
        address[] memory a = _first(1);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(scheduler);
        compute.assignProviders(id, a);
    }

    // ───────────────────────────── reassignProvider ─────────────────────────────

    function test_reassignProvider_replacesUncommittedProvider() public {
        uint256 id = _submit(REWARD, 3);
        _assign(id, _first(3));
        _commit(id, ps[0], RESULT);

        vm.expectEmit(true, true, true, true, address(compute));
        emit IComputeMarket.ProviderAssigned(id, ps[4]);
        vm.expectEmit(true, true, true, true, address(compute));
        emit IComputeMarket.ProviderReassigned(id, ps[1], ps[4]);
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[1], ps[4]);

        address[] memory got = compute.providersOf(id);
        assertEq(got[0], ps[0], "slot 0 kept");
        assertEq(got[1], ps[4], "slot 1 replaced in place");
        assertEq(got[2], ps[2], "slot 2 kept");
        assertFalse(compute.getAssignment(id, ps[1]).assigned, "old unassigned");
        assertTrue(compute.getAssignment(id, ps[4]).assigned, "new assigned");
        assertEq(uint256(_provider(ps[1]).failed), 1, "old provider's failure counted");
        assertEq(uint256(_provider(ps[4]).failed), 0, "replacement clean");
        assertEq(uint256(_provider(ps[1]).slashed), 0, "reassignment does not slash");

        // The replaced provider can no longer commit; the newcomer can.
        bytes32 c = _commitment(RESULT, _salt(ps[1]), ps[1]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[1]));
        vm.prank(ps[1]);
        compute.commitResult(id, c);
        _commit(id, ps[4], RESULT);
        _commit(id, ps[2], RESULT);
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
    }

    function test_reassignProvider_revertsIfAlreadyCommitted() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukAlreadyCommitted.selector, id, ps[0]));
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[0], ps[4]);
    }

    function test_reassignProvider_revertsIfPreviousNotAssigned() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[3]));
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[3], ps[4]);
    }

    function test_reassignProvider_revertsIfReplacementInactive() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukProviderNotActive.selector, bob));
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[0], bob);
        assertTrue(compute.getAssignment(id, ps[0]).assigned, "rolled back");
    }

    function test_reassignProvider_revertsIfReplacementAlreadyAssigned() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukProviderAlreadyAssigned.selector, id, ps[1]));
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[0], ps[1]);
    }

    function test_reassignProvider_revertsIfRevealing() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Revealing);
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[0], ps[4]);
    }

    function test_reassignProvider_revertsIfOpen() public {
        uint256 id = _submit(REWARD, 1);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Open);
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[0], ps[4]);
    }

    function test_reassignProvider_revertsIfAfterDeadline() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
        vm.prank(scheduler);
        compute.reassignProvider(id, ps[0], ps[4]);
    }

    function test_reassignProvider_revertsIfNotScheduler() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, referee, schedulerRole)
        );
        vm.prank(referee);
        compute.reassignProvider(id, ps[0], ps[4]);
    }

    // ───────────────────────────── releaseProvider ─────────────────────────────

    function _release(uint256 id, address p) internal {
        vm.prank(scheduler);
        compute.releaseProvider(id, p);
    }

    function test_releaseProvider_vacatesSlotWithoutFailureOrSlash() public {
        uint256 id = _submit(REWARD, 3);
        _assign(id, _first(3));
        assertEq(registry.lockedStake(ps[1]), SLASH_AMOUNT, "assignment locks");

        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderReleased(id, ps[1]);
        _release(id, ps[1]);

        address[] memory got = compute.providersOf(id);
        assertEq(got.length, 3, "still r slots");
        assertEq(got[0], ps[0], "slot 0 kept");
        assertEq(got[1], address(0), "slot 1 vacated");
        assertEq(got[2], ps[2], "slot 2 kept");
        assertFalse(compute.getAssignment(id, ps[1]).assigned, "released provider unassigned");
        assertEq(registry.lockedStake(ps[1]), 0, "lock released");
        assertEq(uint256(_provider(ps[1]).failed), 0, "no failure counted");
        assertEq(uint256(_provider(ps[1]).stake), 2 * MIN_STAKE, "stake untouched");
        _assertStatus(id, IComputeMarket.JobStatus.Assigned);

        // The released provider can no longer commit.
        bytes32 c = _commitment(RESULT, _salt(ps[1]), ps[1]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[1]));
        vm.prank(ps[1]);
        compute.commitResult(id, c);
    }

    function test_releaseProvider_vacatedSlotBlocksRevealingUntilFilled() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _release(id, ps[0]);
        _commit(id, ps[1], RESULT);
        _assertStatus(id, IComputeMarket.JobStatus.Assigned); // one of two slots committed: no reveal window yet

        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderAssigned(id, ps[4]);
        vm.expectEmit(true, true, true, true, address(compute));
        emit IComputeMarket.ProviderReassigned(id, address(0), ps[4]);
        vm.prank(scheduler);
        compute.reassignProvider(id, address(0), ps[4]);

        assertEq(compute.providersOf(id)[0], ps[4], "vacated slot filled in place");
        assertEq(registry.lockedStake(ps[4]), SLASH_AMOUNT, "replacement locked");
        assertEq(uint256(_provider(ps[0]).failed), 0, "released provider not charged by the fill");
        _commit(id, ps[4], RESULT);
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
        _reveal(id, ps[1], RESULT);
        _reveal(id, ps[4], RESULT);
        _finalize(id);
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(registry.lockedStake(ps[1]), 0, "winner unlocked");
        assertEq(registry.lockedStake(ps[4]), 0, "replacement unlocked");
        _assertMoney();
    }

    function test_releaseProvider_releasedProviderMayBeAssignedAgain() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _release(id, ps[0]);
        vm.prank(scheduler);
        compute.reassignProvider(id, address(0), ps[0]); // it came back: a fresh assignment
        assertTrue(compute.getAssignment(id, ps[0]).assigned, "assigned again");
        assertEq(registry.lockedStake(ps[0]), SLASH_AMOUNT, "locked again");
    }

    function test_undeliveredProviderNotSlashedWhenNoReplacement() public {
        uint256 id = _submit(REWARD, 2);
        address[] memory a = _first(2);
        _assign(id, a);
        _commit(id, a[0], RESULT);
        _release(id, a[1]); // never confirmed receipt, nobody to take its place
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        uint256 before = alice.balance;
        uint256 soukBefore = souk.balanceOf(treasury);

        vm.recordLogs();
        compute.refund(id);
        bytes32 slashedTopic = IComputeMarket.ProviderSlashed.selector;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertTrue(logs.length > 0, "refund emitted");
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics.length == 0 || logs[i].topics[0] != slashedTopic, "nobody slashed");
        }

        assertEq(alice.balance - before, REWARD, "escrow returned");
        assertEq(uint256(_provider(a[1]).stake), 2 * MIN_STAKE, "undelivered provider's stake unchanged");
        assertEq(uint256(_provider(a[1]).failed), 0, "undelivered provider no failure");
        assertEq(uint256(_provider(a[1]).slashed), 0, "undelivered provider not slashed");
        assertEq(registry.lockedStake(a[1]), 0, "undelivered provider unlocked");
        assertEq(uint256(_provider(a[0]).stake), 2 * MIN_STAKE, "committer untouched");
        assertEq(registry.lockedStake(a[0]), 0, "committer unlocked");
        assertEq(souk.balanceOf(treasury), soukBefore, "no slash proceeds");
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        _assertMoney();
    }

    function test_releaseProvider_refundStillSlashesHoldersThatDidNotCommit() public {
        uint256 id = _submit(REWARD, 3);
        address[] memory a = _first(3);
        _assign(id, a);
        _commit(id, a[0], RESULT);
        _release(id, a[1]);
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[2], SLASH_AMOUNT, reasonNoCommit);
        compute.refund(id);
        assertEq(uint256(_provider(a[2]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "holder that did not commit slashed");
        assertEq(uint256(_provider(a[1]).stake), 2 * MIN_STAKE, "released provider untouched");
        assertEq(registry.lockedStake(a[0]), 0, "committer unlocked");
        assertEq(registry.lockedStake(a[2]), 0, "slashed holder's lock settled");
        _assertMoney();
    }

    function test_releaseProvider_allSlotsVacatedThenFailJob() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _release(id, ps[0]);
        _release(id, ps[1]);
        address[] memory got = compute.providersOf(id);
        assertEq(got.length, 2, "an Assigned job lists its vacated slots");
        assertEq(got[0], address(0), "vacated");
        vm.prank(referee);
        compute.failJob(id, bytes32(0));
        _assertStatus(id, IComputeMarket.JobStatus.Failed);
        assertEq(registry.lockedStake(ps[0]), 0, "no lock left");
        _assertMoney();
    }

    function test_releaseProvider_revertsIfCommitted() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukAlreadyCommitted.selector, id, ps[0]));
        _release(id, ps[0]);
    }

    function test_releaseProvider_revertsIfNotAssigned() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[3]));
        _release(id, ps[3]);
        _release(id, ps[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[0]));
        _release(id, ps[0]); // twice
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, address(0)));
        _release(id, address(0));
    }

    function test_releaseProvider_revertsIfNotAssignedStatus() public {
        uint256 id = _submit(REWARD, 1);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Open);
        _release(id, ps[0]);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Revealing);
        _release(id, ps[0]);
    }

    function test_releaseProvider_revertsIfAfterDeadline() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
        _release(id, ps[0]);
    }

    function test_releaseProvider_revertsIfNotScheduler() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, referee, schedulerRole)
        );
        vm.prank(referee);
        compute.releaseProvider(id, ps[0]);
    }

    function test_releaseProvider_fillRevertsWithoutVacantSlot() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNoVacantSlot.selector, id));
        vm.prank(scheduler);
        compute.reassignProvider(id, address(0), ps[4]);
    }

    function test_releaseProvider_fillNeedsWorkingTime() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _release(id, ps[0]);
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
        vm.prank(scheduler);
        compute.reassignProvider(id, address(0), ps[4]);
    }

    // ───────────────────────────── commitResult ─────────────────────────────

    function test_commitResult_storesCommitmentAndEmits() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        bytes32 c = _commitment(RESULT, _salt(ps[0]), ps[0]);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ResultCommitted(id, ps[0], c);
        vm.prank(ps[0]);
        compute.commitResult(id, c);
        assertEq(compute.getAssignment(id, ps[0]).commitment, c, "stored");
        assertEq(uint256(compute.getJob(id).committedCount), 1, "count");
        _assertStatus(id, IComputeMarket.JobStatus.Assigned);
    }

    function test_commitResult_lastCommitOpensReveals() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        bytes32 c = _commitment(RESULT, _salt(ps[1]), ps[1]);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Assigned, IComputeMarket.JobStatus.Revealing);
        vm.prank(ps[1]);
        compute.commitResult(id, c);
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
    }

    function test_commitResult_revertsIfNotAssigned() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[1]));
        vm.prank(ps[1]);
        compute.commitResult(id, bytes32(uint256(1)));
    }

    function test_commitResult_revertsIfTwice() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukAlreadyCommitted.selector, id, ps[0]));
        vm.prank(ps[0]);
        compute.commitResult(id, bytes32(uint256(2)));
        assertEq(uint256(compute.getJob(id).committedCount), 1, "counted once");
    }

    function test_commitResult_revertsIfZeroHash() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        vm.expectRevert(IComputeMarket.SoukZeroHash.selector);
        vm.prank(ps[0]);
        compute.commitResult(id, bytes32(0));
    }

    function test_commitResult_revertsIfAfterDeadline() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
        vm.prank(ps[0]);
        compute.commitResult(id, bytes32(uint256(1)));
    }

    function test_commitResult_revertsIfOpen() public {
        uint256 id = _submit(REWARD, 1);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Open);
        vm.prank(ps[0]);
        compute.commitResult(id, bytes32(uint256(1)));
    }

    // ───────────────────────────── revealResult ─────────────────────────────

    function test_revealResult_storesResultAndEmits() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        bytes32 salt = _salt(ps[0]);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ResultRevealed(id, ps[0], RESULT);
        vm.prank(ps[0]);
        compute.revealResult(id, RESULT, salt);
        assertEq(compute.getAssignment(id, ps[0]).result, RESULT, "stored");
        assertEq(uint256(compute.getJob(id).revealedCount), 1, "count");
        assertEq(compute.getJob(id).resultHash, RESULT, "first reveal sets candidate");

        _reveal(id, ps[1], RESULT);
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
        assertFalse(compute.getJob(id).disagreement, "agree");
    }

    function test_revealResult_revertsIfBeforeAllCommits() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        bytes32 salt = _salt(ps[0]);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Assigned);
        vm.prank(ps[0]);
        compute.revealResult(id, RESULT, salt);
    }

    function test_revealResult_revertsIfWrongSalt() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukCommitmentMismatch.selector, id, ps[0]));
        vm.prank(ps[0]);
        compute.revealResult(id, RESULT, bytes32("not the salt"));
    }

    function test_revealResult_revertsIfDifferentResult() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        bytes32 salt = _salt(ps[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukCommitmentMismatch.selector, id, ps[0]));
        vm.prank(ps[0]);
        compute.revealResult(id, WRONG, salt);
    }

    function test_revealResult_revertsIfTwice() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        _reveal(id, ps[0], RESULT);
        bytes32 salt = _salt(ps[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukAlreadyRevealed.selector, id, ps[0]));
        vm.prank(ps[0]);
        compute.revealResult(id, RESULT, salt);
        assertEq(uint256(compute.getJob(id).revealedCount), 1, "counted once");
    }

    function test_revealResult_revertsIfZeroHash() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        vm.expectRevert(IComputeMarket.SoukZeroHash.selector);
        vm.prank(ps[0]);
        compute.revealResult(id, bytes32(0), bytes32(0));
    }

    function test_revealResult_revertsIfNotAssigned() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotAssigned.selector, id, ps[1]));
        vm.prank(ps[1]);
        compute.revealResult(id, RESULT, bytes32(0));
    }

    function test_revealResult_revertsIfAfterDeadline() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline + 1);
        bytes32 salt = _salt(ps[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
        vm.prank(ps[0]);
        compute.revealResult(id, RESULT, salt);
    }

    function test_revealResult_revertsIfReplayingAnotherProvidersCommitment() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        // p1 commits honestly; p2 copies p1's commitment from the mempool.
        bytes32 c1 = _commitment(RESULT, _salt(ps[0]), ps[0]);
        vm.prank(ps[0]);
        compute.commitResult(id, c1);
        vm.prank(ps[1]);
        compute.commitResult(id, c1);
        // p1 reveals; p2 copies p1's reveal but the commitment is bound to p1's address.
        _reveal(id, ps[0], RESULT);
        bytes32 salt1 = _salt(ps[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukCommitmentMismatch.selector, id, ps[1]));
        vm.prank(ps[1]);
        compute.revealResult(id, RESULT, salt1);

        // The copier cannot finish: after the deadline it is slashed as a non-revealer.
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        compute.refund(id);
        assertEq(uint256(_provider(ps[1]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "copier slashed");
        assertEq(uint256(_provider(ps[0]).stake), 2 * MIN_STAKE, "honest provider untouched");
    }

    function test_revealResult_disagreementMovesToDisputedOnLastReveal() public {
        uint256 id = _submit(REWARD, 3);
        _assign(id, _first(3));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], WRONG);
        _commit(id, ps[2], RESULT);
        _reveal(id, ps[0], RESULT);
        _reveal(id, ps[1], WRONG);
        assertTrue(compute.getJob(id).disagreement, "flagged");
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);

        bytes32 salt = _salt(ps[2]);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Revealing, IComputeMarket.JobStatus.Disputed);
        vm.prank(ps[2]);
        compute.revealResult(id, RESULT, salt);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
        assertEq(compute.getJob(id).resultHash, bytes32(0), "no accepted result");

        _expectStatusRevert(id, IComputeMarket.JobStatus.Disputed);
        compute.finalize(id);
    }

    // ───────────────────────────── finalize ─────────────────────────────

    function test_finalize_paysSingleProvider() public {
        (uint256 id, address[] memory a) = _run(REWARD, _same(1));
        uint256 tBefore = treasury.balance;
        _finalize(id);
        assertEq(a[0].balance, 0.8 ether, "provider 80%");
        assertEq(creator.balance, 0.05 ether, "creator 5%");
        assertEq(treasury.balance - tBefore, 0.15 ether, "treasury 15%");
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(compute.getJob(id).resultHash, RESULT, "result recorded");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow released");
        assertEq(address(compute).balance, 0, "nothing left");
    }

    function test_finalize_splitsBetweenTwoProviders() public {
        (uint256 id, address[] memory a) = _run(REWARD, _same(2));
        _finalize(id);
        assertEq(a[0].balance, 0.4 ether, "provider 1");
        assertEq(a[1].balance, 0.4 ether, "provider 2");
        assertEq(creator.balance, 0.05 ether, "creator");
        assertEq(treasury.balance, 0.15 ether, "treasury");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow released");
    }

    function test_finalize_splitsToTheWeiWithDustToTreasury() public {
        uint256 reward = 1 ether + 7;
        (uint256 id, address[] memory a) = _run(reward, _same(3));
        uint256 each = 266_666_666_666_666_668; // floor(floor((1e18 + 7) * 8000 / 10000) / 3)
        uint256 creatorAmount = 50_000_000_000_000_000; // floor((1e18 + 7) * 500 / 10000)
        uint256 treasuryAmount = 150_000_000_000_000_003; // the rest: 15% plus 3 wei of dust
        assertEq(3 * each + creatorAmount + treasuryAmount, reward, "constants add up");
        vm.warp(uint256(compute.getJob(id).deadline) + 1); // the reveal window is over: anyone may finalize

        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Revealing, IComputeMarket.JobStatus.Finalized);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobSettled(id, RESULT, 3 * each, creator, creatorAmount, treasuryAmount);
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(true, true, false, true, address(compute));
            emit IComputeMarket.ProviderPaid(id, a[i], each);
        }
        vm.prank(bob);
        compute.finalize(id);

        for (uint256 i; i < 3; ++i) {
            assertEq(a[i].balance, each, "provider share");
            assertEq(uint256(_provider(a[i]).completed), 1, "completed counter");
        }
        assertEq(creator.balance, creatorAmount, "creator");
        assertEq(treasury.balance, treasuryAmount, "treasury gets dust");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow back to zero");
        assertEq(address(compute).balance, 0, "paid to the wei");
        _assertMoney();
    }

    function test_finalize_paysOriginalCreatorAfterNftTransfer() public {
        vm.prank(creator);
        nft.transferFrom(creator, bob, modelId);
        assertEq(nft.ownerOf(modelId), bob, "bob owns the model now");
        (uint256 id,) = _run(REWARD, _same(1));
        _finalize(id);
        assertEq(creator.balance, 0.05 ether, "original creator paid");
        assertEq(bob.balance, 0, "new owner gets nothing");
    }

    function test_finalize_revertsIfNotAllRevealed() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        _reveal(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotReadyToFinalize.selector, id, 1, 2));
        compute.finalize(id);
    }

    function test_finalize_revertsIfAssigned() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _first(1));
        _expectStatusRevert(id, IComputeMarket.JobStatus.Assigned);
        compute.finalize(id);
    }

    function test_finalize_revertsIfTwice() public {
        (uint256 id,) = _run(REWARD, _same(1));
        _finalize(id);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Finalized);
        compute.finalize(id);
    }

    function test_finalize_worksAfterDeadline() public {
        (uint256 id, address[] memory a) = _run(REWARD, _same(2));
        vm.warp(block.timestamp + 365 days);
        compute.finalize(id);
        assertEq(a[0].balance, 0.4 ether, "paid late");
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
    }

    function test_finalize_paysInErc20() public {
        usd.mint(alice, 1_000e6 + 3);
        vm.prank(alice);
        usd.approve(address(compute), type(uint256).max);
        uint40 deadline = _deadline();
        vm.prank(alice);
        uint256 id = compute.submitJob(modelId, INPUT, 1_000e6 + 3, address(usd), 2, deadline);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        _reveal(id, ps[0], RESULT);
        _reveal(id, ps[1], RESULT);
        _finalize(id);
        // provider part floor(1000000003 * 0.8) = 800000002, /2 = 400000001 each; creator 50000000
        assertEq(usd.balanceOf(ps[0]), 400_000_001, "p1");
        assertEq(usd.balanceOf(ps[1]), 400_000_001, "p2");
        assertEq(usd.balanceOf(creator), 50_000_000, "creator");
        assertEq(usd.balanceOf(treasury), 150_000_001, "treasury + dust");
        assertEq(usd.balanceOf(address(compute)), 0, "emptied");
        assertEq(compute.totalEscrowed(address(usd)), 0, "escrow");
        _assertMoney();
    }

    function test_finalize_followsGovernedSplit() public {
        vm.prank(admin);
        compute.setRevenueSplit(9_000, 1_000, 0);
        (uint256 id, address[] memory a) = _run(REWARD, _same(1));
        _finalize(id);
        assertEq(a[0].balance, 0.9 ether, "provider");
        assertEq(creator.balance, 0, "creator none");
        assertEq(treasury.balance, 0.1 ether, "treasury");
    }

    function test_finalize_revertsIfNotSchedulerBeforeRevealWindowEnds() public {
        (uint256 id,) = _run(REWARD, _same(2));
        uint256 deadline = compute.getJob(id).deadline;
        address[3] memory callers = [alice, bob, referee]; // the requester and the referee are not the scheduler
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukFinalizeTooEarly.selector, id, deadline + 1));
            vm.prank(callers[i]);
            compute.finalize(id);
        }
        vm.warp(deadline); // the deadline second itself still belongs to the reveal window
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukFinalizeTooEarly.selector, id, deadline + 1));
        vm.prank(bob);
        compute.finalize(id);
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
    }

    function test_finalize_worksForAnyoneAfterRevealWindowEnds() public {
        (uint256 id, address[] memory a) = _run(REWARD, _same(2));
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        vm.prank(bob);
        compute.finalize(id);
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(a[0].balance, 0.4 ether, "p1 paid");
        assertEq(a[1].balance, 0.4 ether, "p2 paid");
        _assertMoney();
    }

    function test_finalize_worksForSchedulerAsSoonAsAllRevealed() public {
        (uint256 id, address[] memory a) = _run(REWARD, _same(2));
        assertLe(block.timestamp, compute.getJob(id).deadline, "inside the reveal window");
        _finalize(id);
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(a[0].balance, 0.4 ether, "paid at once");
    }

    function test_finalize_revertsIfNotReadyBeforeCheckingTheCaller() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        _reveal(id, ps[0], RESULT);
        // A non-scheduler inside the window learns what is actually missing, not just that it is early.
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotReadyToFinalize.selector, id, 1, 2));
        vm.prank(bob);
        compute.finalize(id);
    }

    // ───────────────────────────── challenge ─────────────────────────────

    /// @dev An r-provider job whose reveals all agree on RESULT, challenged by the referee.
    function _challenged(uint8 r) internal returns (uint256 id, address[] memory a) {
        (id, a) = _run(REWARD, _same(r));
        _challenge(id);
    }

    function test_challenge_movesAgreeingJobToDisputedAndEmits() public {
        (uint256 id,) = _run(REWARD, _same(2));
        assertEq(compute.getJob(id).resultHash, RESULT, "agreed result before");
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Revealing, IComputeMarket.JobStatus.Disputed);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.JobChallenged(id, referee);
        _challenge(id);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
        assertEq(compute.getJob(id).resultHash, bytes32(0), "no accepted result while disputed");
        assertEq(compute.getAssignment(id, ps[0]).result, RESULT, "reveals kept for the settlement");
        assertEq(compute.totalEscrowed(NATIVE), REWARD, "still escrowed");
        _assertMoney();
    }

    function test_challenge_singleProviderSlashedAndRequesterRefundedIfResultWrong() public {
        (uint256 id, address[] memory a) = _challenged(1);
        bytes32 truth = keccak256("truth");
        uint256 before = alice.balance;
        uint256 soukBefore = souk.balanceOf(treasury);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[0], SLASH_AMOUNT, reasonWrong);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.JobRefunded(id, alice, REWARD);
        vm.prank(referee);
        compute.settleDispute(id, truth);

        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(alice.balance - before, REWARD, "requester refunded in full");
        assertEq(a[0].balance, 0, "cheat unpaid");
        assertEq(uint256(_provider(a[0]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "cheat slashed");
        assertEq(uint256(_provider(a[0]).slashed), 1, "slash counted");
        assertEq(uint256(_provider(a[0]).failed), 1, "failure counted");
        assertEq(souk.balanceOf(treasury) - soukBefore, SLASH_AMOUNT, "slash to treasury");
        assertEq(compute.getJob(id).resultHash, truth, "referee's result recorded");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow");
        _assertMoney();
    }

    function test_challenge_bothProvidersSlashedAndRequesterRefundedIfResultWrong() public {
        (uint256 id, address[] memory a) = _challenged(2);
        uint256 before = alice.balance;
        vm.prank(referee);
        compute.settleDispute(id, keccak256("truth"));

        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(alice.balance - before, REWARD, "requester refunded in full");
        for (uint256 i; i < 2; ++i) {
            assertEq(a[i].balance, 0, "colluders unpaid");
            assertEq(uint256(_provider(a[i]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "colluders slashed");
        }
        assertEq(creator.balance, 0, "creator unpaid");
        assertEq(treasury.balance, 0, "treasury unpaid");
        _assertMoney();
    }

    function test_challenge_singleProviderPaidIfAuditConfirmsResult() public {
        (uint256 id, address[] memory a) = _challenged(1);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobSettled(id, RESULT, 0.8 ether, creator, 0.05 ether, 0.15 ether);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);

        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(a[0].balance, 0.8 ether, "paid as if finalized");
        assertEq(uint256(_provider(a[0]).stake), 2 * MIN_STAKE, "not slashed");
        assertEq(uint256(_provider(a[0]).completed), 1, "completion counted");
        assertEq(compute.getJob(id).resultHash, RESULT, "result recorded");
        _assertMoney();
    }

    function test_challenge_bothProvidersPaidIfAuditConfirmsResult() public {
        (uint256 id, address[] memory a) = _challenged(2);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);

        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        for (uint256 i; i < 2; ++i) {
            assertEq(a[i].balance, 0.4 ether, "paid as if finalized");
            assertEq(uint256(_provider(a[i]).stake), 2 * MIN_STAKE, "not slashed");
        }
        assertEq(creator.balance, 0.05 ether, "creator");
        assertEq(treasury.balance, 0.15 ether, "treasury");
        _assertMoney();
    }

    function test_challenge_blocksFinalize() public {
        (uint256 id,) = _challenged(2);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Disputed);
        _finalize(id);
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Disputed);
        compute.finalize(id);
    }

    function test_challenge_refundableWithoutSlashingAfterDisputePeriodIfUnsettled() public {
        (uint256 id, address[] memory a) = _challenged(2);
        uint256 refundableAt = uint256(compute.getJob(id).deadline) + DISPUTE_PERIOD;
        vm.warp(refundableAt);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlineNotReached.selector, id, refundableAt));
        compute.refund(id);
        vm.warp(refundableAt + 1);
        compute.refund(id);
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(alice.balance, 1_000_000 ether, "requester refunded");
        assertEq(uint256(_provider(a[0]).stake), 2 * MIN_STAKE, "no slashing without a referee");
        _assertMoney();
    }

    function test_challenge_worksAtTheLastSecondOfTheAuditWindow() public {
        (uint256 id,) = _run(REWARD, _same(1));
        vm.warp(uint256(compute.getJob(id).deadline));
        _challenge(id);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
    }

    function test_challenge_worksWhilePaused() public {
        (uint256 id,) = _run(REWARD, _same(1));
        vm.prank(guardian);
        compute.pause();
        _challenge(id);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
    }

    function test_challenge_revertsIfNotReferee() public {
        (uint256 id,) = _run(REWARD, _same(1));
        address[3] memory callers = [scheduler, alice, admin];
        for (uint256 i; i < callers.length; ++i) {
            bytes memory err = abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, callers[i], refereeRole
            );
            vm.expectRevert(err);
            vm.prank(callers[i]);
            compute.challenge(id);
        }
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
    }

    function test_challenge_revertsIfNotAllRevealed() public {
        uint256 id = _submit(REWARD, 2);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotReadyToFinalize.selector, id, 0, 2));
        _challenge(id);
        _reveal(id, ps[0], RESULT);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukNotReadyToFinalize.selector, id, 1, 2));
        _challenge(id);
    }

    function test_challenge_revertsIfOpenOrAssigned() public {
        _expectStatusRevert(42, IComputeMarket.JobStatus.None);
        _challenge(42);
        uint256 id = _submit(REWARD, 1);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Open);
        _challenge(id);
        _assign(id, _first(1));
        _expectStatusRevert(id, IComputeMarket.JobStatus.Assigned);
        _challenge(id);
    }

    function test_challenge_revertsIfAlreadyDisputed() public {
        (uint256 id,) = _disputed(); // disagreeing reveals: already a dispute
        _expectStatusRevert(id, IComputeMarket.JobStatus.Disputed);
        _challenge(id);
        (uint256 id2,) = _challenged(1);
        _expectStatusRevert(id2, IComputeMarket.JobStatus.Disputed);
        _challenge(id2);
    }

    function test_challenge_revertsIfFinalized() public {
        (uint256 id,) = _run(REWARD, _same(2));
        _finalize(id);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Finalized);
        _challenge(id);
    }

    function test_challenge_revertsIfRefunded() public {
        (uint256 id,) = _challenged(1);
        vm.warp(uint256(compute.getJob(id).deadline) + DISPUTE_PERIOD + 1);
        compute.refund(id);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Refunded);
        _challenge(id);
    }

    // ───────────────────────────── settleDispute ─────────────────────────────

    function _disputed() internal returns (uint256 id, address[] memory a) {
        bytes32[] memory results = new bytes32[](3);
        results[0] = RESULT;
        results[1] = WRONG;
        results[2] = RESULT;
        (id, a) = _run(REWARD, results);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
    }

    function test_settleDispute_slashesWrongAndPaysRight() public {
        (uint256 id, address[] memory a) = _disputed();
        uint256 soukBefore = souk.balanceOf(treasury);

        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[1], SLASH_AMOUNT, reasonWrong);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobSettled(id, RESULT, 0.8 ether, creator, 0.05 ether, 0.15 ether);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderPaid(id, a[0], 0.4 ether);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderPaid(id, a[2], 0.4 ether);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);

        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(compute.getJob(id).resultHash, RESULT, "settled result");
        assertEq(a[0].balance, 0.4 ether, "right 1");
        assertEq(a[2].balance, 0.4 ether, "right 2");
        assertEq(a[1].balance, 0, "wrong unpaid");
        assertEq(creator.balance, 0.05 ether, "creator");
        assertEq(treasury.balance, 0.15 ether, "treasury");
        assertEq(souk.balanceOf(treasury) - soukBefore, SLASH_AMOUNT, "slash to treasury in SOUK");
        IProviderRegistry.Provider memory w = _provider(a[1]);
        assertEq(uint256(w.stake), 2 * MIN_STAKE - SLASH_AMOUNT, "wrong provider's stake");
        assertEq(uint256(w.failed), 1, "failure counted");
        assertEq(uint256(w.slashed), 1, "slash counted");
        assertEq(uint256(_provider(a[0]).completed), 1, "right completed");
        assertEq(uint256(_provider(a[0]).slashed), 0, "right not slashed");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow");
        _assertMoney();
    }

    function test_settleDispute_refundsRequesterIfNobodyRight() public {
        (uint256 id, address[] memory a) = _disputed();
        bytes32 truth = keccak256("truth");
        uint256 before = alice.balance;
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.JobRefunded(id, alice, REWARD);
        vm.prank(referee);
        compute.settleDispute(id, truth);

        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(alice.balance - before, REWARD, "full refund");
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(_provider(a[i]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "all slashed");
            assertEq(uint256(_provider(a[i]).failed), 1, "all failed");
            assertEq(a[i].balance, 0, "nobody paid");
        }
        assertEq(compute.getJob(id).resultHash, truth, "truth recorded");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow");
        _assertMoney();
    }

    function test_settleDispute_singleRightProviderTakesWholeProviderPart() public {
        (uint256 id, address[] memory a) = _disputed();
        vm.prank(referee);
        compute.settleDispute(id, WRONG);
        assertEq(a[1].balance, 0.8 ether, "lone right provider");
        assertEq(uint256(_provider(a[0]).slashed), 1, "p1 slashed");
        assertEq(uint256(_provider(a[2]).slashed), 1, "p3 slashed");
    }

    function test_settleDispute_revertsIfNotReferee() public {
        (uint256 id,) = _disputed();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, scheduler, refereeRole)
        );
        vm.prank(scheduler);
        compute.settleDispute(id, RESULT);
    }

    function test_settleDispute_revertsIfNotDisputed() public {
        (uint256 id,) = _run(REWARD, _same(2));
        _expectStatusRevert(id, IComputeMarket.JobStatus.Revealing);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
    }

    function test_settleDispute_revertsIfZeroHash() public {
        (uint256 id,) = _disputed();
        vm.expectRevert(IComputeMarket.SoukZeroHash.selector);
        vm.prank(referee);
        compute.settleDispute(id, bytes32(0));
    }

    function test_settleDispute_worksAfterDisputePeriodIfNotRefunded() public {
        (uint256 id, address[] memory a) = _disputed();
        vm.warp(uint256(compute.getJob(id).deadline) + DISPUTE_PERIOD + 10 days);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(a[0].balance, 0.4 ether, "late settlement still pays");
    }

    function test_settleDispute_slashesOnlyWhatWrongProviderHas() public {
        vm.prank(admin);
        compute.setSlashAmount(2 * MIN_STAKE); // the whole stake, all of it locked by the assignment
        (uint256 id, address[] memory a) = _disputed();
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[1], 2 * MIN_STAKE, reasonWrong);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(uint256(_provider(a[1]).stake), 0, "emptied");
        assertEq(registry.totalBonded(), souk.balanceOf(address(registry)), "registry money invariant");
    }

    function test_settleDispute_slashAmountZeroOnlyCountsFailure() public {
        vm.prank(admin);
        compute.setSlashAmount(0);
        (uint256 id, address[] memory a) = _disputed();
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(uint256(_provider(a[1]).stake), 2 * MIN_STAKE, "nothing taken");
        assertEq(uint256(_provider(a[1]).slashed), 0, "registry not called");
        assertEq(uint256(_provider(a[1]).failed), 1, "failure counted");
    }

    // ───────────────────────────── refund ─────────────────────────────

    function test_refund_openJobAfterDeadlineWithoutSlashing() public {
        uint256 id = _submit(REWARD, 2);
        uint256 deadline = compute.getJob(id).deadline;
        uint256 bondedBefore = registry.totalBonded();
        vm.warp(deadline + 1);
        uint256 before = alice.balance;
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Open, IComputeMarket.JobStatus.Refunded);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.JobRefunded(id, alice, REWARD);
        vm.prank(bob); // anyone may trigger it
        compute.refund(id);
        assertEq(alice.balance - before, REWARD, "refunded to requester");
        assertEq(registry.totalBonded(), bondedBefore, "nobody slashed");
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        _assertMoney();
    }

    function test_refund_revertsIfDeadlineNotReached() public {
        uint256 id = _submit(REWARD, 1);
        uint256 deadline = compute.getJob(id).deadline;
        vm.warp(deadline); // the deadline second itself still belongs to the job
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlineNotReached.selector, id, deadline));
        compute.refund(id);
    }

    function test_refund_assignedJobSlashesNonCommittersOnly() public {
        uint256 id = _submit(REWARD, 3);
        address[] memory a = _first(3);
        _assign(id, a);
        _commit(id, a[0], RESULT);
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        uint256 soukBefore = souk.balanceOf(treasury);
        uint256 before = alice.balance;

        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[1], SLASH_AMOUNT, reasonNoCommit);
        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[2], SLASH_AMOUNT, reasonNoCommit);
        compute.refund(id);

        assertEq(alice.balance - before, REWARD, "refunded");
        assertEq(uint256(_provider(a[0]).stake), 2 * MIN_STAKE, "committer untouched");
        assertEq(uint256(_provider(a[0]).failed), 0, "committer no failure");
        assertEq(uint256(_provider(a[1]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "p2 slashed");
        assertEq(uint256(_provider(a[2]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "p3 slashed");
        assertEq(uint256(_provider(a[1]).failed), 1, "p2 failure");
        assertEq(souk.balanceOf(treasury) - soukBefore, 2 * SLASH_AMOUNT, "slashes to treasury");
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
    }

    function test_refund_revealingJobSlashesNonRevealer() public {
        uint256 id = _submit(REWARD, 2);
        address[] memory a = _first(2);
        _assign(id, a);
        _commit(id, a[0], RESULT);
        _commit(id, a[1], RESULT);
        _reveal(id, a[0], RESULT);
        vm.warp(uint256(compute.getJob(id).deadline) + 1);

        vm.expectEmit(true, true, false, true, address(compute));
        emit IComputeMarket.ProviderSlashed(id, a[1], SLASH_AMOUNT, reasonNoReveal);
        compute.refund(id);

        assertEq(uint256(_provider(a[0]).stake), 2 * MIN_STAKE, "revealer untouched");
        assertEq(uint256(_provider(a[1]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "non-revealer slashed");
        assertEq(uint256(_provider(a[1]).failed), 1, "failure");
        assertEq(alice.balance, 1_000_000 ether, "requester whole again");
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
    }

    function test_refund_disputedJobOnlyAfterDisputePeriod() public {
        (uint256 id, address[] memory a) = _disputed();
        uint256 refundableAt = uint256(compute.getJob(id).deadline) + DISPUTE_PERIOD;
        vm.warp(refundableAt);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlineNotReached.selector, id, refundableAt));
        compute.refund(id);

        vm.warp(refundableAt + 1);
        compute.refund(id);
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(alice.balance, 1_000_000 ether, "requester refunded");
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(_provider(a[i]).stake), 2 * MIN_STAKE, "no slashing without a referee");
        }
        // The referee is too late now.
        _expectStatusRevert(id, IComputeMarket.JobStatus.Refunded);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
    }

    function test_refund_revertsIfCompleteAgreeingJob() public {
        (uint256 id,) = _run(REWARD, _same(2));
        vm.warp(uint256(compute.getJob(id).deadline) + 30 days);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Revealing);
        compute.refund(id);
        compute.finalize(id); // the way out
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
    }

    function test_refund_revertsIfFinalized() public {
        (uint256 id,) = _run(REWARD, _same(1));
        _finalize(id);
        vm.warp(block.timestamp + 30 days);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Finalized);
        compute.refund(id);
    }

    function test_refund_revertsIfAlreadyRefunded() public {
        uint256 id = _submit(REWARD, 1);
        vm.warp(block.timestamp + 30 days);
        compute.refund(id);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Refunded);
        compute.refund(id);
    }

    function test_refund_revertsIfUnknownJob() public {
        _expectStatusRevert(7, IComputeMarket.JobStatus.None);
        compute.refund(7);
    }

    function test_refund_returnsErc20() public {
        usd.mint(alice, 10e6);
        vm.prank(alice);
        usd.approve(address(compute), 10e6);
        uint40 deadline = _deadline();
        vm.prank(alice);
        uint256 id = compute.submitJob(modelId, INPUT, 10e6, address(usd), 1, deadline);
        vm.warp(uint256(deadline) + 1);
        compute.refund(id);
        assertEq(usd.balanceOf(alice), 10e6, "refunded in usd");
        _assertMoney();
    }

    // ───────────────────────────── pause ─────────────────────────────

    function test_pause_blocksOnlyNewMoneyAndNewAssignments() public {
        uint256 running = _submit(REWARD, 2);
        _assign(running, _first(2));
        uint256 cancellable = _submit(REWARD, 1);
        uint256 open = _submit(REWARD, 1);
        uint256 stale = _submit(REWARD, 1);
        _assign(stale, _list(ps[4]));

        vm.prank(guardian);
        compute.pause();
        assertTrue(compute.paused(), "paused");

        // Blocked: new money, new commitments.
        vm.expectRevert(Pausable.EnforcedPause.selector);
        _submit(REWARD, 1);
        address[] memory a = _list(ps[3]);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(scheduler);
        compute.assignProviders(open, a);

        // Never blocked: cancel, commit, reveal, finalize, refund.
        vm.prank(alice);
        compute.cancelJob(cancellable);
        _assertStatus(cancellable, IComputeMarket.JobStatus.Refunded);

        _commit(running, ps[0], RESULT);
        _commit(running, ps[1], RESULT);
        _reveal(running, ps[0], RESULT);
        _reveal(running, ps[1], RESULT);
        _finalize(running);
        _assertStatus(running, IComputeMarket.JobStatus.Finalized);
        assertEq(ps[0].balance, 0.4 ether, "paid while paused");

        vm.warp(uint256(compute.getJob(stale).deadline) + 1);
        compute.refund(stale);
        _assertStatus(stale, IComputeMarket.JobStatus.Refunded);
        compute.refund(open);
        _assertStatus(open, IComputeMarket.JobStatus.Refunded);
        _assertMoney();
    }

    function test_pause_neverBlocksDisputeSettlement() public {
        (uint256 id, address[] memory a) = _disputed();
        vm.prank(guardian);
        compute.pause();
        vm.prank(referee);
        compute.settleDispute(id, RESULT);
        assertEq(a[0].balance, 0.4 ether, "paid while paused");
    }

    function test_pause_revertsIfNotGuardian() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, admin, compute.PAUSER_ROLE()
            )
        );
        vm.prank(admin);
        compute.pause();
    }

    function test_unpause_revertsIfGuardian() public {
        vm.prank(guardian);
        compute.pause();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, adminRole)
        );
        vm.prank(guardian);
        compute.unpause();
        vm.prank(admin);
        compute.unpause();
        assertFalse(compute.paused(), "admin unpaused");
    }

    // ───────────────────────────── griefing & reentrancy ─────────────────────────────

    function test_finalize_succeedsIfProviderRevertsOnReceive() public {
        RevertingReceiver bad = new RevertingReceiver();
        address b = address(bad);
        _registerContract(b);
        uint256 id = _submit(REWARD, 2);
        _assign(id, _list(ps[0], b));
        _commit(id, ps[0], RESULT);
        _commitVia(id, b, RESULT);
        _reveal(id, ps[0], RESULT);
        _revealVia(id, b, RESULT);

        vm.expectEmit(true, true, false, true, address(compute));
        emit IPayouts.PaymentCredited(NATIVE, b, 0.4 ether);
        _finalize(id);

        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(ps[0].balance, 0.4 ether, "honest provider paid");
        assertEq(b.balance, 0, "push failed");
        assertEq(compute.creditsOf(NATIVE, b), 0.4 ether, "credited");
        assertEq(compute.totalCredits(NATIVE), 0.4 ether, "total credits");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow released");
        _assertMoney();

        // The reverting provider pulls its credit to another address.
        bad.execute(address(compute), abi.encodeCall(compute.withdrawCredits, (NATIVE, bob)));
        assertEq(bob.balance, 0.4 ether, "withdrawn to bob");
        assertEq(compute.creditsOf(NATIVE, b), 0, "credit cleared");
        _assertMoney();
    }

    function test_withdrawCredits_revertsIfDestinationRejectsAndKeepsCredit() public {
        RevertingReceiver bad = new RevertingReceiver();
        address b = address(bad);
        _registerContract(b);
        uint256 id = _submit(REWARD, 1);
        _assign(id, _list(b));
        _commitVia(id, b, RESULT);
        _revealVia(id, b, RESULT);
        _finalize(id);

        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukWithdrawalFailed.selector, b, 0.8 ether));
        bad.execute(address(compute), abi.encodeCall(compute.withdrawCredits, (NATIVE, b)));
        assertEq(compute.creditsOf(NATIVE, b), 0.8 ether, "credit kept");

        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukNothingToWithdraw.selector, bob, NATIVE));
        vm.prank(bob);
        compute.withdrawCredits(NATIVE, bob);
    }

    function test_finalize_succeedsWithBoundedGasIfProviderBurnsGas() public {
        GasBurningReceiver burner = new GasBurningReceiver();
        address b = address(burner);
        _registerContract(b);
        uint256 id = _submit(REWARD, 2);
        _assign(id, _list(b, ps[0]));
        _commitVia(id, b, RESULT);
        _commit(id, ps[0], RESULT);
        _revealVia(id, b, RESULT);
        _reveal(id, ps[0], RESULT);

        vm.prank(scheduler);
        uint256 gasBefore = gasleft();
        compute.finalize(id);
        uint256 used = gasBefore - gasleft();

        assertLe(used, 400_000, "griefer costs bounded gas");
        assertEq(compute.creditsOf(NATIVE, b), 0.4 ether, "burner credited");
        assertEq(ps[0].balance, 0.4 ether, "other provider paid");
        assertEq(treasury.balance, 0.15 ether, "treasury paid after the burner");
        _assertMoney();
    }

    function test_finalize_creditsRevertingCreator() public {
        RevertingReceiver badCreator = new RevertingReceiver();
        bytes memory ret = badCreator.execute(
            address(nft),
            abi.encodeWithSignature(
                "mint(address,string,uint8,uint16)", address(badCreator), "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", uint8(0), uint16(0)
            )
        );
        uint256 model = abi.decode(ret, (uint256));
        assertEq(nft.creatorOf(model), address(badCreator), "creator");
        vm.prank(alice);
        uint256 id = compute.submitJob{value: REWARD}(model, INPUT, REWARD, NATIVE, 1, _deadline());
        _assign(id, _first(1));
        _commit(id, ps[0], RESULT);
        _reveal(id, ps[0], RESULT);
        _finalize(id);
        assertEq(compute.creditsOf(NATIVE, address(badCreator)), 0.05 ether, "creator credited");
        assertEq(ps[0].balance, 0.8 ether, "provider paid");
        _assertMoney();
    }

    function test_finalize_creditsBlocklistedErc20Provider() public {
        ComputeBlockingERC20 busd = new ComputeBlockingERC20();
        vm.prank(admin);
        compute.setCurrencyAllowed(address(busd), true);
        busd.mint(alice, 100e6);
        vm.prank(alice);
        busd.approve(address(compute), 100e6);
        uint40 deadline = _deadline();
        vm.prank(alice);
        uint256 id = compute.submitJob(modelId, INPUT, 100e6, address(busd), 2, deadline);
        _assign(id, _first(2));
        _commit(id, ps[0], RESULT);
        _commit(id, ps[1], RESULT);
        _reveal(id, ps[0], RESULT);
        _reveal(id, ps[1], RESULT);
        busd.setBlocked(ps[1], true);

        _finalize(id);
        assertEq(busd.balanceOf(ps[0]), 40e6, "p1 paid");
        assertEq(compute.creditsOf(address(busd), ps[1]), 40e6, "blocked p2 credited");
        assertEq(busd.balanceOf(address(compute)), compute.totalCredits(address(busd)), "held == credits");

        vm.prank(ps[1]);
        compute.withdrawCredits(address(busd), bob);
        assertEq(busd.balanceOf(bob), 40e6, "pulled to an unblocked address");
    }

    function test_refund_creditsRevertingRequester() public {
        RevertingReceiver req = new RevertingReceiver();
        vm.deal(address(this), REWARD);
        uint40 deadline = _deadline();
        bytes memory ret = req.execute{value: REWARD}(
            address(compute), abi.encodeCall(compute.submitJob, (modelId, INPUT, REWARD, NATIVE, 1, deadline))
        );
        uint256 id = abi.decode(ret, (uint256));
        vm.warp(uint256(deadline) + 1);
        compute.refund(id);
        _assertStatus(id, IComputeMarket.JobStatus.Refunded);
        assertEq(compute.creditsOf(NATIVE, address(req)), REWARD, "refund credited");
        _assertMoney();
    }

    function test_refund_blocksReentrantRefundFromRequester() public {
        ReentrantReceiver req = new ReentrantReceiver();
        vm.deal(address(this), REWARD);
        uint40 deadline = _deadline();
        bytes memory ret = req.execute{value: REWARD}(
            address(compute), abi.encodeCall(compute.submitJob, (modelId, INPUT, REWARD, NATIVE, 1, deadline))
        );
        uint256 id = abi.decode(ret, (uint256));
        // A second job funds the contract, so a successful re-entry would have something to steal.
        _submit(REWARD, 1);
        req.arm(address(compute), abi.encodeCall(compute.refund, (id)));

        vm.warp(uint256(deadline) + 1);
        compute.refund(id);

        assertTrue(req.attempted(), "re-entry attempted");
        assertFalse(req.reentered(), "re-entry failed");
        assertEq(address(req).balance, REWARD, "refunded exactly once");
        assertEq(compute.creditsOf(NATIVE, address(req)), 0, "no credit: the push itself succeeded");
        assertEq(address(compute).balance, REWARD, "other job's escrow intact");
        assertEq(compute.totalEscrowed(NATIVE), REWARD, "escrow accounting");
        _assertMoney();
    }

    function test_cancelJob_blocksReentrantRefundFromRequester() public {
        ReentrantReceiver req = new ReentrantReceiver();
        vm.deal(address(this), REWARD);
        uint40 deadline = _deadline();
        bytes memory ret = req.execute{value: REWARD}(
            address(compute), abi.encodeCall(compute.submitJob, (modelId, INPUT, REWARD, NATIVE, 1, deadline))
        );
        uint256 id = abi.decode(ret, (uint256));
        _submit(REWARD, 1);
        req.arm(address(compute), abi.encodeCall(compute.cancelJob, (id)));
        req.execute(address(compute), abi.encodeCall(compute.cancelJob, (id)));
        assertTrue(req.attempted(), "re-entry attempted");
        assertFalse(req.reentered(), "re-entry failed");
        assertEq(address(req).balance, REWARD, "refunded once");
        _assertMoney();
    }

    // ───────────────────────────── governance setters ─────────────────────────────

    function test_setRevenueSplit_revertsIfNotSummingTo10000() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidSplit.selector, 8_000, 1_500, 501));
        vm.prank(admin);
        compute.setRevenueSplit(8_000, 1_500, 501);
    }

    function test_setRevenueSplit_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, adminRole)
        );
        vm.prank(guardian);
        compute.setRevenueSplit(7_000, 2_000, 1_000);
    }

    function test_setRevenueSplit_updatesAndEmits() public {
        vm.expectEmit(false, false, false, true, address(compute));
        emit IComputeMarket.RevenueSplitSet(7_000, 2_000, 1_000);
        vm.prank(admin);
        compute.setRevenueSplit(7_000, 2_000, 1_000);
        assertEq(uint256(compute.providerBps()), 7_000, "provider");
        assertEq(uint256(compute.treasuryBps()), 2_000, "treasury");
        assertEq(uint256(compute.creatorBps()), 1_000, "creator");
    }

    function test_setDisputePeriod_enforcesBounds() public {
        vm.startPrank(admin);
        registry.setUnbondingPeriod(90 days); // covers a 30-day dispute period
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 1 hours - 1));
        compute.setDisputePeriod(1 hours - 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 30 days + 1));
        compute.setDisputePeriod(30 days + 1);
        compute.setDisputePeriod(30 days);
        vm.stopPrank();
        assertEq(uint256(compute.disputePeriod()), 30 days, "max accepted");
    }

    function test_setMaxJobDuration_enforcesBounds() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 59));
        compute.setMaxJobDuration(59);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, 90 days + 1));
        compute.setMaxJobDuration(90 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidDuration.selector, MIN_WORKING_TIME));
        compute.setMaxJobDuration(MIN_WORKING_TIME); // must stay above the minimum working time
        compute.setMinWorkingTime(0);
        compute.setMaxJobDuration(1 minutes);
        vm.stopPrank();
        assertEq(uint256(compute.maxJobDuration()), 60, "min accepted");
    }

    function test_setTreasury_revertsIfZero() public {
        vm.expectRevert(IComputeMarket.SoukZeroAddress.selector);
        vm.prank(admin);
        compute.setTreasury(address(0));
    }

    function test_setTreasury_redirectsTreasuryShare() public {
        vm.prank(admin);
        compute.setTreasury(bob);
        (uint256 id,) = _run(REWARD, _same(1));
        _finalize(id);
        assertEq(bob.balance, 0.15 ether, "new treasury paid");
        assertEq(treasury.balance, 0, "old treasury not");
    }

    // ───────────────────────────── fuzz ─────────────────────────────

    function test_fuzz_finalize_splitsEveryWei(uint256 reward, uint8 rSeed) public {
        reward = bound(reward, 1, 1e30);
        uint8 r = uint8(bound(rSeed, 1, 5));
        vm.deal(alice, reward);
        if (reward > type(uint96).max) {
            vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukInvalidReward.selector, reward));
            _submit(reward, r);
            return;
        }
        (uint256 id, address[] memory a) = _run(reward, _same(r));
        _finalize(id);

        uint256 each = reward * 8_000 / 10_000 / r;
        uint256 creatorAmount = reward * 500 / 10_000;
        uint256 sum;
        for (uint256 i; i < r; ++i) {
            assertEq(a[i].balance, each, "provider floor share");
            sum += a[i].balance;
        }
        assertEq(creator.balance, creatorAmount, "creator floor share");
        assertEq(treasury.balance, reward - each * r - creatorAmount, "treasury the rest");
        sum += creator.balance + treasury.balance;
        assertEq(sum, reward, "sum of payouts == reward");
        assertGe(treasury.balance, reward * 1_500 / 10_000, "treasury at least its share");
        assertEq(address(compute).balance, 0, "nothing stuck");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow");
    }

    function test_fuzz_commitReveal_acceptedOnlyUntilDeadline(uint256 commitDelay, uint256 revealDelay) public {
        commitDelay = bound(commitDelay, 0, 2 days);
        revealDelay = bound(revealDelay, 0, 2 days);
        uint256 id = _submit(REWARD, 1);
        uint256 deadline = compute.getJob(id).deadline;
        _assign(id, _first(1));

        uint256 commitAt = block.timestamp + commitDelay;
        vm.warp(commitAt);
        bytes32 c = _commitment(RESULT, _salt(ps[0]), ps[0]);
        if (commitAt > deadline) {
            vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
            vm.prank(ps[0]);
            compute.commitResult(id, c);
            _assertStatus(id, IComputeMarket.JobStatus.Assigned);
            return;
        }
        vm.prank(ps[0]);
        compute.commitResult(id, c);
        _assertStatus(id, IComputeMarket.JobStatus.Revealing);
        // The last commit opens a reveal window of at least REVEAL_PERIOD, extending the deadline if needed.
        uint256 revealDeadline = commitAt + REVEAL_PERIOD > deadline ? commitAt + REVEAL_PERIOD : deadline;
        assertEq(compute.getJob(id).deadline, revealDeadline, "reveal deadline");
        deadline = revealDeadline;

        uint256 revealAt = commitAt + revealDelay;
        vm.warp(revealAt);
        bytes32 salt = _salt(ps[0]);
        if (revealAt > deadline) {
            vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukDeadlinePassed.selector, id, deadline));
            vm.prank(ps[0]);
            compute.revealResult(id, RESULT, salt);
            compute.refund(id); // committed but never revealed
            assertEq(uint256(_provider(ps[0]).stake), 2 * MIN_STAKE - SLASH_AMOUNT, "non-revealer slashed");
        } else {
            vm.prank(ps[0]);
            compute.revealResult(id, RESULT, salt);
            _finalize(id);
            assertEq(ps[0].balance, 0.8 ether, "paid");
        }
    }

    function test_fuzz_finalize_onlySchedulerInsideRevealWindow(uint256 delay, uint256 callerSeed) public {
        (uint256 id, address[] memory a) = _run(REWARD, _same(2));
        uint256 deadline = compute.getJob(id).deadline;
        delay = bound(delay, 0, 2 * (deadline - block.timestamp));
        vm.warp(block.timestamp + delay);
        address[4] memory callers = [scheduler, alice, bob, referee];
        address caller = callers[callerSeed % callers.length];
        if (caller != scheduler && block.timestamp <= deadline) {
            vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukFinalizeTooEarly.selector, id, deadline + 1));
            vm.prank(caller);
            compute.finalize(id);
            _assertStatus(id, IComputeMarket.JobStatus.Revealing);
            return;
        }
        vm.prank(caller);
        compute.finalize(id);
        _assertStatus(id, IComputeMarket.JobStatus.Finalized);
        assertEq(a[0].balance, 0.4 ether, "paid");
    }

    function test_fuzz_challenge_settlesLikeADispute(uint256 reward, uint8 rSeed, bool confirmed) public {
        reward = bound(reward, 1, type(uint96).max);
        uint8 r = uint8(bound(rSeed, 1, 5));
        vm.deal(alice, reward);
        (uint256 id, address[] memory a) = _run(reward, _same(r));
        _challenge(id);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
        bytes32 verdict = confirmed ? RESULT : keccak256("truth");
        uint256 requesterBefore = alice.balance;
        vm.prank(referee);
        compute.settleDispute(id, verdict);

        uint256 each = reward * 8_000 / 10_000 / r;
        uint256 paid;
        for (uint256 i; i < r; ++i) {
            assertEq(a[i].balance, confirmed ? each : 0, "provider payout");
            assertEq(uint256(_provider(a[i]).slashed), confirmed ? 0 : 1, "slashed iff the audit failed");
            paid += a[i].balance;
        }
        if (confirmed) {
            _assertStatus(id, IComputeMarket.JobStatus.Finalized);
            assertEq(paid + creator.balance + treasury.balance, reward, "sum == reward");
        } else {
            _assertStatus(id, IComputeMarket.JobStatus.Refunded);
            assertEq(alice.balance - requesterBefore, reward, "requester refunded in full");
        }
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow");
        assertEq(registry.totalBonded(), souk.balanceOf(address(registry)), "registry invariant");
        _assertMoney();
    }

    function test_fuzz_settleDispute_paysRightProvidersExactly(uint256 reward, uint8 mask) public {
        reward = bound(reward, 1, type(uint96).max);
        vm.deal(alice, reward);
        // Five providers; bit i of `mask` set means provider i reveals the right result. Force disagreement.
        mask = uint8(bound(mask, 1, 30)); // at least one right, at least one wrong (never 31)
        bytes32[] memory results = new bytes32[](5);
        uint256 k;
        for (uint256 i; i < 5; ++i) {
            bool right = (mask >> i) & 1 == 1;
            results[i] = right ? RESULT : keccak256(abi.encode("wrong", i));
            if (right) ++k;
        }
        (uint256 id, address[] memory a) = _run(reward, results);
        _assertStatus(id, IComputeMarket.JobStatus.Disputed);
        vm.prank(referee);
        compute.settleDispute(id, RESULT);

        uint256 each = reward * 8_000 / 10_000 / k;
        uint256 paid;
        for (uint256 i; i < 5; ++i) {
            bool right = (mask >> i) & 1 == 1;
            assertEq(a[i].balance, right ? each : 0, "provider payout");
            assertEq(uint256(_provider(a[i]).slashed), right ? 0 : 1, "slashed iff wrong");
            paid += a[i].balance;
        }
        assertEq(paid + creator.balance + treasury.balance, reward, "sum == reward");
        assertEq(registry.totalBonded(), souk.balanceOf(address(registry)), "registry invariant");
        _assertMoney();
    }

    // ───────────────────────────── failJob ─────────────────────────────

    bytes32 internal constant BAD_INPUT = keccak256("souk.fail.bad-input");

    function test_failJob_assignedJobRefundsRequesterInFullAndSlashesNobody() public {
        uint256 id = _submit(REWARD, 3);
        address[] memory a = _first(3);
        _assign(id, a);
        _commit(id, a[0], RESULT); // a provider that already committed is not punished either
        uint256 before = alice.balance;
        uint256 soukBefore = souk.balanceOf(treasury);

        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobStatusChanged(id, IComputeMarket.JobStatus.Assigned, IComputeMarket.JobStatus.Failed);
        vm.expectEmit(true, false, false, true, address(compute));
        emit IComputeMarket.JobFailed(id, BAD_INPUT);
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);

        _assertStatus(id, IComputeMarket.JobStatus.Failed);
        assertEq(uint256(IComputeMarket.JobStatus.Failed), 7, "Failed is appended: code 7");
        assertEq(alice.balance - before, REWARD, "whole escrow back");
        assertEq(compute.totalEscrowed(NATIVE), 0, "escrow released");
        assertEq(souk.balanceOf(treasury), soukBefore, "nobody slashed");
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(_provider(a[i]).stake), 2 * MIN_STAKE, "stake intact");
            assertEq(uint256(_provider(a[i]).failed), 0, "no failure counted");
            assertEq(uint256(_provider(a[i]).slashed), 0, "not slashed");
        }
        _assertMoney();
    }

    function test_failJob_openJobRefundsInErc20() public {
        usd.mint(alice, REWARD);
        vm.startPrank(alice);
        usd.approve(address(compute), REWARD);
        uint256 id = compute.submitJob(modelId, INPUT, REWARD, address(usd), 1, _deadline());
        vm.stopPrank();
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);
        assertEq(usd.balanceOf(alice), REWARD, "refunded in the job's currency");
        assertEq(compute.totalEscrowed(address(usd)), 0, "escrow released");
        _assertStatus(id, IComputeMarket.JobStatus.Failed);
        _assertMoney();
    }

    function test_failJob_worksWhilePausedAndAfterDeadline() public {
        uint256 id = _submit(REWARD, 1);
        _assign(id, _list(ps[0]));
        vm.prank(guardian);
        compute.pause();
        vm.warp(uint256(compute.getJob(id).deadline) + 1);
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);
        _assertStatus(id, IComputeMarket.JobStatus.Failed);
    }

    function test_failJob_creditsRevertingRequester() public {
        RevertingReceiver r = new RevertingReceiver();
        vm.deal(address(r), REWARD);
        bytes memory ret = IExecutor(address(r)).execute{value: REWARD}(
            address(compute), abi.encodeCall(compute.submitJob, (modelId, INPUT, REWARD, NATIVE, 1, _deadline()))
        );
        uint256 id = abi.decode(ret, (uint256));
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);
        assertEq(compute.creditsOf(NATIVE, address(r)), REWARD, "credited, not lost");
        _assertMoney();
    }

    function test_failJob_revertsIfNotReferee() public {
        uint256 id = _submit(REWARD, 1);
        address[3] memory callers = [alice, scheduler, admin];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, callers[i], refereeRole)
            );
            vm.prank(callers[i]);
            compute.failJob(id, BAD_INPUT);
        }
    }

    function test_failJob_revertsOnceAProviderCouldHaveRevealed() public {
        (uint256 id,) = _run(REWARD, _same(1)); // Revealing, revealed
        _expectStatusRevert(id, IComputeMarket.JobStatus.Revealing);
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);

        bytes32[] memory split = new bytes32[](2);
        (split[0], split[1]) = (RESULT, WRONG);
        (uint256 disputed,) = _run(REWARD, split);
        _expectStatusRevert(disputed, IComputeMarket.JobStatus.Disputed);
        vm.prank(referee);
        compute.failJob(disputed, BAD_INPUT);

        _finalize(id);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Finalized);
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);
    }

    function test_failJob_revertsIfTwiceOrUnknown() public {
        uint256 id = _submit(REWARD, 1);
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Failed);
        vm.prank(referee);
        compute.failJob(id, BAD_INPUT);
        _expectStatusRevert(99, IComputeMarket.JobStatus.None);
        vm.prank(referee);
        compute.failJob(99, BAD_INPUT);
        // A failed job is closed for every other path too.
        _expectStatusRevert(id, IComputeMarket.JobStatus.Failed);
        vm.prank(alice);
        compute.cancelJob(id);
        vm.warp(block.timestamp + 30 days);
        _expectStatusRevert(id, IComputeMarket.JobStatus.Failed);
        compute.refund(id);
    }
}

/// @notice Regressions for review findings on the job state machine.
contract ComputeMarketReviewRegressionTest is SoukFixture {
    function test_commitResult_opensRevealWindowIfLastCommitLandsAtTheDeadline() public {
        uint256 modelId = mintModel(creator, 0);
        address p1 = newProvider("p1");
        address p2 = newProvider("p2");
        uint40 deadline = uint40(block.timestamp + 1 hours);
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        uint256 id = compute.submitJob{value: 1 ether}(modelId, keccak256("in"), 1 ether, address(0), 2, deadline);
        address[] memory ps = new address[](2);
        ps[0] = p1;
        ps[1] = p2;
        vm.prank(scheduler);
        compute.assignProviders(id, ps);
        bytes32 result = keccak256("out");
        bytes32 c1 = compute.commitmentOf(result, bytes32("s1"), p1);
        bytes32 c2 = compute.commitmentOf(result, bytes32("s2"), p2);
        vm.prank(p1);
        compute.commitResult(id, c1);
        vm.warp(deadline); // the slow provider commits at the very last second
        vm.prank(p2);
        compute.commitResult(id, c2);
        assertEq(compute.getJob(id).deadline, uint256(deadline) + REVEAL_PERIOD, "window opened");

        vm.warp(uint256(deadline) + REVEAL_PERIOD); // the early provider still has time to reveal
        vm.prank(p1);
        compute.revealResult(id, result, bytes32("s1"));
        vm.prank(p2);
        compute.revealResult(id, result, bytes32("s2"));
        vm.prank(scheduler);
        compute.finalize(id);
        assertEq(p1.balance, 0.4 ether, "early committer paid, not slashed");
        assertEq(uint256(registry.getProvider(p1).stake), MIN_STAKE * 2, "stake intact");
    }

    function test_submitJob_revertsIfAssetIsADataset() public {
        vm.prank(creator);
        uint256 datasetId = nft.mint(creator, "ipfs://dataset", IAgentNFT.AssetKind.Dataset, 0);
        vm.deal(alice, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukAssetNotRunnable.selector, datasetId));
        vm.prank(alice);
        compute.submitJob{value: 1 ether}(datasetId, keccak256("in"), 1 ether, address(0), 1, uint40(block.timestamp + 1 hours));
    }

    function test_reassignProvider_revertsIfReplacementIsThePreviousProvider() public {
        uint256 modelId = mintModel(creator, 0);
        address p1 = newProvider("p1");
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        uint256 id = compute.submitJob{value: 1 ether}(modelId, keccak256("in"), 1 ether, address(0), 1, uint40(block.timestamp + 1 hours));
        address[] memory ps = new address[](1);
        ps[0] = p1;
        vm.prank(scheduler);
        compute.assignProviders(id, ps);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.SoukProviderAlreadyAssigned.selector, id, p1));
        vm.prank(scheduler);
        compute.reassignProvider(id, p1, p1);
        assertEq(uint256(registry.getProvider(p1).failed), 0, "no failure counted");
    }

}
