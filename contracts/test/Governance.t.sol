// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {SoukTimelock} from "../src/governance/SoukTimelock.sol";
import {SoukGovernor} from "../src/governance/SoukGovernor.sol";
import {Marketplace} from "../src/Marketplace.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {ComputeEscrow} from "../src/ComputeEscrow.sol";
import {IMarketplace} from "../src/interfaces/IMarketplace.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";

contract GovernanceTest is SoukFixture {
    uint256 internal constant MIN_DELAY = 1 days;
    uint48 internal constant VOTING_DELAY = 1;
    uint32 internal constant VOTING_PERIOD = 50;
    uint256 internal constant QUORUM_PERCENT = 4;
    uint256 internal constant ALICE_VOTES = 5_000_000 ether; // 5% of supply: above the 4% quorum alone
    uint256 internal constant BOB_VOTES = 1_000_000 ether; // 1%: below quorum alone

    SoukTimelock internal timelock;
    SoukGovernor internal governor;
    Marketplace internal gMarket;
    ProviderRegistry internal gRegistry;
    ComputeEscrow internal gEscrow;

    bytes32 internal adminRole;

    function setUp() public override {
        super.setUp();
        vm.roll(100);

        address[] memory proposers = new address[](0);
        address[] memory executors = new address[](1);
        executors[0] = address(0); // anyone executes
        timelock = new SoukTimelock(MIN_DELAY, proposers, executors, address(this));
        governor = new SoukGovernor(souk, timelock, VOTING_DELAY, VOTING_PERIOD, 0, QUORUM_PERCENT);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));

        gMarket = new Marketplace(nft, address(timelock), guardian, treasury, FEE_BPS);
        gRegistry = new ProviderRegistry(souk, address(timelock), MIN_STAKE, UNBONDING_PERIOD, treasury);
        gEscrow = new ComputeEscrow(
            nft,
            gRegistry,
            ComputeEscrow.Config({
                admin: address(timelock),
                guardian: guardian,
                treasury: treasury,
                slashAmount: SLASH_AMOUNT,
                withdrawalDelay: WITHDRAWAL_DELAY,
                disputePeriod: DISPUTE_PERIOD
            })
        );
        adminRole = gMarket.DEFAULT_ADMIN_ROLE();

        vm.startPrank(treasury);
        souk.transfer(alice, ALICE_VOTES);
        souk.transfer(bob, BOB_VOTES);
        vm.stopPrank();
        vm.prank(alice);
        souk.delegate(alice);
        vm.prank(bob);
        souk.delegate(bob);
        vm.roll(block.number + 1);
    }

    // ───────────────────────────── helpers ─────────────────────────────

    struct Proposal {
        address[] targets;
        uint256[] values;
        bytes[] calldatas;
        string description;
        bytes32 descriptionHash;
    }

    function _single(address target, bytes memory data, string memory description)
        internal
        pure
        returns (Proposal memory p)
    {
        p.targets = new address[](1);
        p.targets[0] = target;
        p.values = new uint256[](1);
        p.calldatas = new bytes[](1);
        p.calldatas[0] = data;
        p.description = description;
        p.descriptionHash = keccak256(bytes(description));
    }

    function _propose(Proposal memory p) internal returns (uint256 id) {
        vm.prank(alice);
        id = governor.propose(p.targets, p.values, p.calldatas, p.description);
    }

    function _voteAndEnd(uint256 id, address voter, uint8 support) internal {
        vm.roll(governor.proposalSnapshot(id) + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Active), "active");
        vm.prank(voter);
        governor.castVote(id, support);
        vm.roll(governor.proposalDeadline(id) + 1);
    }

    function _queue(Proposal memory p) internal returns (uint256 id) {
        id = governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash);
    }

    function _execute(Proposal memory p) internal {
        governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash);
    }

    /// @dev propose → vote for (alice) → queue → wait the timelock delay → execute.
    function _pass(Proposal memory p) internal returns (uint256 id) {
        id = _propose(p);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Pending), "pending");
        _voteAndEnd(id, alice, 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Succeeded), "succeeded");
        _queue(p);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Queued), "queued");
        vm.warp(block.timestamp + MIN_DELAY + 1);
        _execute(p);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Executed), "executed");
    }

    function _unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    // ───────────────────────────── wiring ─────────────────────────────

    function test_setUp_wiresGovernorAndTimelock() public view {
        assertEq(address(governor.timelock()), address(timelock), "governor's timelock");
        assertEq(address(governor.token()), address(souk), "voting token");
        assertEq(governor.votingDelay(), VOTING_DELAY, "voting delay");
        assertEq(governor.votingPeriod(), VOTING_PERIOD, "voting period");
        assertEq(governor.proposalThreshold(), 0, "threshold");
        assertEq(governor.quorumNumerator(), QUORUM_PERCENT, "quorum numerator");
        assertEq(governor.quorum(block.number - 1), SUPPLY * QUORUM_PERCENT / 100, "quorum = 4% of supply");
        assertEq(timelock.getMinDelay(), MIN_DELAY, "min delay");

        assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE(), address(governor)), "governor proposes");
        assertTrue(timelock.hasRole(timelock.CANCELLER_ROLE(), address(governor)), "governor cancels");
        assertTrue(timelock.hasRole(timelock.EXECUTOR_ROLE(), address(0)), "anyone executes");
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)), "bootstrap admin renounced");
        assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)), "timelock self-administers");

        assertTrue(gMarket.hasRole(adminRole, address(timelock)), "market admin");
        assertTrue(gRegistry.hasRole(adminRole, address(timelock)), "registry admin");
        assertTrue(gEscrow.hasRole(adminRole, address(timelock)), "escrow admin");
        assertFalse(gEscrow.hasRole(adminRole, address(governor)), "governor itself is not admin");

        assertEq(souk.getVotes(alice), ALICE_VOTES, "alice votes");
        assertEq(souk.getVotes(bob), BOB_VOTES, "bob votes");
    }

    // ───────────────────────────── parameter changes ─────────────────────────────

    function test_execute_setsProtocolFee() public {
        Proposal memory p =
            _single(address(gMarket), abi.encodeCall(gMarket.setProtocolFee, (uint16(100))), "Lower the fee to 1%");
        uint256 id = _propose(p);
        _voteAndEnd(id, alice, 1);
        _queue(p);
        vm.warp(block.timestamp + MIN_DELAY);
        assertEq(uint256(gMarket.protocolFeeBps()), FEE_BPS, "unchanged while queued");
        vm.expectEmit(false, false, false, true, address(gMarket));
        emit IMarketplace.ProtocolFeeSet(100);
        vm.prank(bob); // any account may execute a ready operation
        _execute(p);
        assertEq(uint256(gMarket.protocolFeeBps()), 100, "fee changed");
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Executed), "executed");
    }

    function test_execute_setsRevenueSplit() public {
        Proposal memory p = _single(
            address(gEscrow),
            abi.encodeCall(gEscrow.setRevenueSplit, (uint16(7_500), uint16(1_500), uint16(1_000))),
            "Creators get 10%"
        );
        _pass(p);
        assertEq(uint256(gEscrow.providerBps()), 7_500, "provider bps");
        assertEq(uint256(gEscrow.treasuryBps()), 1_500, "treasury bps");
        assertEq(uint256(gEscrow.creatorBps()), 1_000, "creator bps");
    }

    function test_execute_setsMinStake() public {
        Proposal memory p =
            _single(address(gRegistry), abi.encodeCall(gRegistry.setMinStake, (5_000 ether)), "Raise the minimum stake");
        _pass(p);
        assertEq(gRegistry.minStake(), 5_000 ether, "min stake");
    }

    function test_execute_setsUnbondingPeriod() public {
        Proposal memory p =
            _single(address(gRegistry), abi.encodeCall(gRegistry.setUnbondingPeriod, (uint64(14 days))), "Two weeks");
        _pass(p);
        assertEq(uint256(gRegistry.unbondingPeriod()), 14 days, "unbonding period");
    }

    function test_execute_revertsIfParameterOutOfBounds() public {
        uint64 tooLong = gRegistry.MAX_UNBONDING_PERIOD() + 1;
        Proposal memory p =
            _single(address(gRegistry), abi.encodeCall(gRegistry.setUnbondingPeriod, (tooLong)), "Too long");
        _propose(p);
        uint256 id = governor.getProposalId(p.targets, p.values, p.calldatas, p.descriptionHash);
        _voteAndEnd(id, alice, 1);
        _queue(p);
        vm.warp(block.timestamp + MIN_DELAY + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukUnbondingPeriodTooLong.selector, tooLong, gRegistry.MAX_UNBONDING_PERIOD()
            )
        );
        _execute(p);
        assertEq(uint256(gRegistry.unbondingPeriod()), UNBONDING_PERIOD, "unchanged");
    }

    function test_execute_unpausesAfterGuardianPause() public {
        vm.prank(guardian);
        gEscrow.pause();
        assertTrue(gEscrow.paused(), "guardian paused");

        vm.expectRevert(_unauthorized(guardian, adminRole));
        vm.prank(guardian);
        gEscrow.unpause();

        Proposal memory p = _single(address(gEscrow), abi.encodeCall(gEscrow.unpause, ()), "Resume compute");
        _pass(p);
        assertFalse(gEscrow.paused(), "governance unpaused");
    }

    function test_execute_appliesBatchProposal() public {
        vm.prank(guardian);
        gMarket.pause();
        Proposal memory p;
        p.targets = new address[](3);
        p.values = new uint256[](3);
        p.calldatas = new bytes[](3);
        p.targets[0] = address(gMarket);
        p.calldatas[0] = abi.encodeCall(gMarket.unpause, ());
        p.targets[1] = address(gMarket);
        p.calldatas[1] = abi.encodeCall(gMarket.setProtocolFee, (uint16(300)));
        p.targets[2] = address(gRegistry);
        p.calldatas[2] = abi.encodeCall(gRegistry.setMinStake, (1 ether));
        p.description = "Batch";
        p.descriptionHash = keccak256(bytes(p.description));
        _pass(p);
        assertFalse(gMarket.paused(), "unpaused");
        assertEq(uint256(gMarket.protocolFeeBps()), 300, "fee");
        assertEq(gRegistry.minStake(), 1 ether, "min stake");
    }

    function test_execute_changesGovernorSettingsThroughTimelock() public {
        Proposal memory p =
            _single(address(governor), abi.encodeCall(governor.setVotingPeriod, (uint32(100))), "Longer votes");
        _pass(p);
        assertEq(governor.votingPeriod(), 100, "voting period changed by governance");
    }

    // ───────────────────────────── failure paths ─────────────────────────────

    function test_execute_revertsIfTimelockDelayNotElapsed() public {
        Proposal memory p =
            _single(address(gMarket), abi.encodeCall(gMarket.setProtocolFee, (uint16(100))), "Too fast");
        uint256 id = _propose(p);
        _voteAndEnd(id, alice, 1);
        _queue(p);
        vm.warp(block.timestamp + MIN_DELAY - 1);
        bytes32 salt = bytes20(address(governor)) ^ p.descriptionHash;
        bytes32 opId = timelock.hashOperationBatch(p.targets, p.values, p.calldatas, 0, salt);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                opId,
                bytes32(uint256(1) << uint8(TimelockController.OperationState.Ready))
            )
        );
        _execute(p);
        assertEq(uint256(gMarket.protocolFeeBps()), FEE_BPS, "unchanged");
    }

    function test_queue_revertsIfQuorumNotReached() public {
        Proposal memory p =
            _single(address(gMarket), abi.encodeCall(gMarket.setProtocolFee, (uint16(0))), "Zero fee");
        uint256 id = _propose(p);
        _voteAndEnd(id, bob, 1); // 1% of supply, all in favour, but quorum is 4%
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "defeated");
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Defeated,
                bytes32(uint256(1) << uint8(IGovernor.ProposalState.Succeeded))
            )
        );
        _queue(p);
    }

    function test_queue_revertsIfVotedDown() public {
        Proposal memory p =
            _single(address(gMarket), abi.encodeCall(gMarket.setProtocolFee, (uint16(0))), "Zero fee, again");
        uint256 id = _propose(p);
        vm.roll(governor.proposalSnapshot(id) + 1);
        vm.prank(bob);
        governor.castVote(id, 1);
        vm.prank(alice);
        governor.castVote(id, 0);
        vm.roll(governor.proposalDeadline(id) + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "defeated");
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Defeated,
                bytes32(uint256(1) << uint8(IGovernor.ProposalState.Succeeded))
            )
        );
        _queue(p);
    }

    function test_castVote_countsVotesAtSnapshotNotAfter() public {
        Proposal memory p =
            _single(address(gMarket), abi.encodeCall(gMarket.setProtocolFee, (uint16(50))), "Snapshot test");
        uint256 id = _propose(p);
        vm.roll(governor.proposalSnapshot(id) + 1);
        // After the snapshot alice hands all her tokens to bob; bob cannot vote with them.
        vm.prank(alice);
        souk.transfer(bob, ALICE_VOTES);
        vm.prank(bob);
        uint256 bobWeight = governor.castVote(id, 0);
        vm.prank(alice);
        uint256 aliceWeight = governor.castVote(id, 1);
        assertEq(bobWeight, BOB_VOTES, "bob's snapshot weight");
        assertEq(aliceWeight, ALICE_VOTES, "alice's snapshot weight");
        (uint256 against, uint256 forVotes,) = governor.proposalVotes(id);
        assertEq(against, BOB_VOTES, "against");
        assertEq(forVotes, ALICE_VOTES, "for");
        vm.roll(governor.proposalDeadline(id) + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Succeeded), "passes");
    }

    function test_castVote_revertsIfVotingTwice() public {
        Proposal memory p = _single(address(gMarket), abi.encodeCall(gMarket.setProtocolFee, (uint16(1))), "Twice");
        uint256 id = _propose(p);
        vm.roll(governor.proposalSnapshot(id) + 1);
        vm.prank(alice);
        governor.castVote(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorAlreadyCastVote.selector, alice));
        vm.prank(alice);
        governor.castVote(id, 1);
    }

    function test_setters_revertIfCallerIsNotTimelock() public {
        address[3] memory callers = [alice, address(governor), guardian];
        for (uint256 i; i < 3; ++i) {
            address c = callers[i];
            vm.expectRevert(_unauthorized(c, adminRole));
            vm.prank(c);
            gMarket.setProtocolFee(0);

            vm.expectRevert(_unauthorized(c, adminRole));
            vm.prank(c);
            gEscrow.setRevenueSplit(10_000, 0, 0);

            vm.expectRevert(_unauthorized(c, adminRole));
            vm.prank(c);
            gRegistry.setMinStake(0);

            vm.expectRevert(_unauthorized(c, adminRole));
            vm.prank(c);
            gRegistry.setUnbondingPeriod(0);
        }
        assertEq(uint256(gMarket.protocolFeeBps()), FEE_BPS, "fee unchanged");
        assertEq(gRegistry.minStake(), MIN_STAKE, "min stake unchanged");
    }

    function test_unpause_revertsIfCallerIsNotTimelock() public {
        vm.prank(guardian);
        gMarket.pause();
        vm.expectRevert(_unauthorized(guardian, adminRole));
        vm.prank(guardian);
        gMarket.unpause();
        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        gMarket.unpause();
        assertTrue(gMarket.paused(), "still paused");
    }

    function test_pause_worksForGuardianOnly() public {
        bytes32 pauserRole = gEscrow.PAUSER_ROLE();
        vm.expectRevert(_unauthorized(address(timelock), pauserRole));
        vm.prank(address(timelock));
        gEscrow.pause();

        vm.prank(guardian);
        gEscrow.pause();
        assertTrue(gEscrow.paused(), "paused by guardian");

        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(guardian);
        gEscrow.pause();
    }

    function test_schedule_revertsIfCallerIsNotProposer() public {
        bytes memory data = abi.encodeCall(gMarket.setProtocolFee, (uint16(0)));
        vm.expectRevert(_unauthorized(alice, timelock.PROPOSER_ROLE()));
        vm.prank(alice);
        timelock.schedule(address(gMarket), 0, data, bytes32(0), bytes32(0), MIN_DELAY);
    }

    function test_setVotingPeriod_revertsIfNotGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, alice));
        vm.prank(alice);
        governor.setVotingPeriod(1);
        // Not even the timelock's proposer (the governor) calling itself outside a proposal.
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, address(governor)));
        vm.prank(address(governor));
        governor.setVotingPeriod(1);
    }
}
