// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";

contract ProviderRegistryTest is SoukFixture {
    bytes32 internal constant REASON = keccak256("test.reason");
    string internal constant URI = "ipfs://provider-metadata";

    address internal slasher = makeAddr("slasher");
    address internal reporter = makeAddr("reporter");
    address internal prov = makeAddr("prov");

    function setUp() public override {
        super.setUp();
        vm.startPrank(admin);
        registry.grantRole(registry.SLASHER_ROLE(), slasher);
        registry.grantRole(registry.REPORTER_ROLE(), reporter);
        vm.stopPrank();
        // Fund prov generously; it registers in individual tests.
        vm.prank(treasury);
        souk.transfer(prov, 100_000 ether);
        vm.prank(prov);
        souk.approve(address(registry), type(uint256).max);
    }

    function _register(uint256 stake) internal {
        vm.prank(prov);
        registry.register(URI, stake);
    }

    function _assertMoneyInvariant() internal view {
        assertEq(registry.totalBonded(), souk.balanceOf(address(registry)), "totalBonded == SOUK balance");
    }

    function _p(address a) internal view returns (IProviderRegistry.Provider memory) {
        return registry.getProvider(a);
    }

    // ───────────────────────────── constructor ─────────────────────────────

    function test_constructor_setsParameters() public view {
        assertEq(address(registry.stakeToken()), address(souk), "token");
        assertEq(registry.minStake(), MIN_STAKE, "min stake");
        assertEq(uint256(registry.unbondingPeriod()), UNBONDING_PERIOD, "unbonding");
        assertEq(registry.slashRecipient(), treasury, "slash recipient");
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin), "admin");
        assertEq(registry.totalBonded(), 0, "nothing bonded");
    }

    function test_constructor_revertsIfUnbondingPeriodTooLong() public {
        uint64 tooLong = registry.MAX_UNBONDING_PERIOD() + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukUnbondingPeriodTooLong.selector, tooLong, registry.MAX_UNBONDING_PERIOD()
            )
        );
        new ProviderRegistry(souk, admin, MIN_STAKE, tooLong, treasury);
    }

    function test_constructor_revertsIfSlashRecipientZero() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukZeroAddress.selector));
        new ProviderRegistry(souk, admin, MIN_STAKE, UNBONDING_PERIOD, address(0));
    }

    // ───────────────────────────── register ─────────────────────────────

    function test_register_bondsStakeAndEmits() public {
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.ProviderRegistered(prov, MIN_STAKE, URI);
        _register(MIN_STAKE);

        IProviderRegistry.Provider memory p = _p(prov);
        assertTrue(p.registered, "registered");
        assertEq(uint256(p.stake), MIN_STAKE, "stake");
        assertEq(uint256(p.unbonding), 0, "unbonding");
        assertEq(registry.metadataURI(prov), URI, "uri");
        assertEq(registry.totalBonded(), MIN_STAKE, "total bonded");
        assertEq(souk.balanceOf(address(registry)), MIN_STAKE, "tokens moved");
        assertTrue(registry.isActive(prov), "active at exactly min stake");
    }

    function test_register_revertsIfStakeBelowMinimum() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukInsufficientStake.selector, prov, MIN_STAKE - 1, MIN_STAKE
            )
        );
        _register(MIN_STAKE - 1);
        assertFalse(_p(prov).registered, "not registered");
    }

    function test_register_revertsIfStakeZeroEvenWithZeroMinimum() public {
        vm.prank(admin);
        registry.setMinStake(0);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukInsufficientStake.selector, prov, 0, 0));
        _register(0);
    }

    function test_register_revertsIfAlreadyRegistered() public {
        _register(MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukAlreadyRegistered.selector, prov));
        _register(MIN_STAKE);
        assertEq(registry.totalBonded(), MIN_STAKE, "bonded once");
    }

    function test_register_revertsIfStakeExceedsUint128() public {
        uint256 huge = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukAmountTooLarge.selector, huge));
        _register(huge);
    }

    // ───────────────────────────── updateMetadata ─────────────────────────────

    function test_updateMetadata_replacesUriAndEmits() public {
        _register(MIN_STAKE);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.MetadataUpdated(prov, "https://example.com/p.json");
        vm.prank(prov);
        registry.updateMetadata("https://example.com/p.json");
        assertEq(registry.metadataURI(prov), "https://example.com/p.json", "uri");
    }

    function test_updateMetadata_revertsIfNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukNotRegistered.selector, alice));
        vm.prank(alice);
        registry.updateMetadata("x");
    }

    // ───────────────────────────── increaseStake ─────────────────────────────

    function test_increaseStake_addsStakeAndEmits() public {
        _register(MIN_STAKE);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.StakeIncreased(prov, 500 ether, MIN_STAKE + 500 ether);
        vm.prank(prov);
        registry.increaseStake(500 ether);
        assertEq(uint256(_p(prov).stake), MIN_STAKE + 500 ether, "stake");
        assertEq(registry.totalBonded(), MIN_STAKE + 500 ether, "total");
        _assertMoneyInvariant();
    }

    function test_increaseStake_revertsIfZero() public {
        _register(MIN_STAKE);
        vm.expectRevert(IProviderRegistry.SoukZeroAmount.selector);
        vm.prank(prov);
        registry.increaseStake(0);
    }

    function test_increaseStake_revertsIfNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukNotRegistered.selector, prov));
        vm.prank(prov);
        registry.increaseStake(1 ether);
    }

    function test_increaseStake_reactivatesProviderBelowMinimum() public {
        _register(MIN_STAKE);
        vm.prank(prov);
        registry.requestUnbond(1 ether);
        assertFalse(registry.isActive(prov), "inactive below minimum");
        vm.prank(prov);
        registry.increaseStake(1 ether);
        assertTrue(registry.isActive(prov), "active again");
    }

    // ───────────────────────────── requestUnbond ─────────────────────────────

    function test_requestUnbond_movesStakeToUnbondingAndEmits() public {
        _register(3 * MIN_STAKE);
        uint64 expected = uint64(block.timestamp) + UNBONDING_PERIOD;
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.UnbondRequested(prov, MIN_STAKE, expected);
        vm.prank(prov);
        uint64 at = registry.requestUnbond(MIN_STAKE);

        assertEq(uint256(at), expected, "returned time");
        IProviderRegistry.Provider memory p = _p(prov);
        assertEq(uint256(p.stake), 2 * MIN_STAKE, "stake");
        assertEq(uint256(p.unbonding), MIN_STAKE, "unbonding");
        assertEq(uint256(p.unbondableAt), expected, "unbondableAt");
        assertEq(registry.totalBonded(), 3 * MIN_STAKE, "unbonding funds still bonded");
        _assertMoneyInvariant();
    }

    function test_requestUnbond_revertsIfExceedsStake() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukUnbondExceedsStake.selector, prov, MIN_STAKE + 1, MIN_STAKE
            )
        );
        vm.prank(prov);
        registry.requestUnbond(MIN_STAKE + 1);
    }

    function test_requestUnbond_revertsIfZero() public {
        _register(MIN_STAKE);
        vm.expectRevert(IProviderRegistry.SoukZeroAmount.selector);
        vm.prank(prov);
        registry.requestUnbond(0);
    }

    function test_requestUnbond_revertsIfNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukNotRegistered.selector, prov));
        vm.prank(prov);
        registry.requestUnbond(1);
    }

    function test_requestUnbond_restartsClockForAllUnbondingFunds() public {
        _register(3 * MIN_STAKE);
        uint256 t0 = block.timestamp;
        vm.prank(prov);
        registry.requestUnbond(MIN_STAKE);

        vm.warp(t0 + 3 days);
        vm.prank(prov);
        uint64 at = registry.requestUnbond(MIN_STAKE);
        assertEq(uint256(at), t0 + 3 days + UNBONDING_PERIOD, "clock restarted");
        assertEq(uint256(_p(prov).unbonding), 2 * MIN_STAKE, "both chunks unbonding");

        // The first chunk's original release time no longer frees anything.
        vm.warp(t0 + UNBONDING_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukStillUnbonding.selector, prov, at));
        vm.prank(prov);
        registry.withdraw();

        vm.warp(at);
        vm.prank(prov);
        assertEq(registry.withdraw(), 2 * MIN_STAKE, "all unbonding withdrawn together");
    }

    // ───────────────────────────── withdraw ─────────────────────────────

    function test_withdraw_revertsIfStillUnbonding() public {
        _register(2 * MIN_STAKE);
        vm.prank(prov);
        uint64 at = registry.requestUnbond(MIN_STAKE);
        vm.warp(uint256(at) - 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.SoukStillUnbonding.selector, prov, at));
        vm.prank(prov);
        registry.withdraw();
    }

    function test_withdraw_returnsFundsAtUnbondableAtAndEmits() public {
        _register(2 * MIN_STAKE);
        vm.prank(prov);
        uint64 at = registry.requestUnbond(MIN_STAKE);
        uint256 before = souk.balanceOf(prov);
        vm.warp(at);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.Withdrawn(prov, MIN_STAKE);
        vm.prank(prov);
        uint256 amount = registry.withdraw();

        assertEq(amount, MIN_STAKE, "amount");
        assertEq(souk.balanceOf(prov) - before, MIN_STAKE, "tokens returned");
        assertEq(uint256(_p(prov).unbonding), 0, "unbonding cleared");
        assertEq(uint256(_p(prov).stake), MIN_STAKE, "stake untouched");
        assertEq(registry.totalBonded(), MIN_STAKE, "total");
        _assertMoneyInvariant();
    }

    function test_withdraw_revertsIfNothingUnbonding() public {
        _register(MIN_STAKE);
        vm.expectRevert(IProviderRegistry.SoukZeroAmount.selector);
        vm.prank(prov);
        registry.withdraw();
    }

    function test_withdraw_revertsIfSecondTime() public {
        _register(2 * MIN_STAKE);
        vm.prank(prov);
        uint64 at = registry.requestUnbond(MIN_STAKE);
        vm.warp(at + 1);
        vm.prank(prov);
        registry.withdraw();
        vm.expectRevert(IProviderRegistry.SoukZeroAmount.selector);
        vm.prank(prov);
        registry.withdraw();
    }

    // ───────────────────────────── isActive ─────────────────────────────

    function test_isActive_transitionsWithStake() public {
        assertFalse(registry.isActive(prov), "unregistered");
        _register(MIN_STAKE + 50 ether);
        assertTrue(registry.isActive(prov), "registered above min");

        vm.prank(prov);
        registry.requestUnbond(50 ether);
        assertTrue(registry.isActive(prov), "exactly at min");

        vm.prank(prov);
        registry.requestUnbond(1);
        assertFalse(registry.isActive(prov), "below min after unbond");

        vm.prank(prov);
        registry.increaseStake(1);
        assertTrue(registry.isActive(prov), "back at min");

        vm.prank(slasher);
        registry.slash(prov, 1, REASON);
        assertFalse(registry.isActive(prov), "below min after slash");
    }

    function test_isActive_followsMinStakeChanges() public {
        _register(MIN_STAKE);
        vm.prank(admin);
        registry.setMinStake(MIN_STAKE + 1);
        assertFalse(registry.isActive(prov), "min raised above stake");
        vm.prank(admin);
        registry.setMinStake(0);
        assertTrue(registry.isActive(prov), "min lowered");
        vm.prank(prov);
        registry.requestUnbond(MIN_STAKE);
        assertFalse(registry.isActive(prov), "zero stake is never active");
    }

    // ───────────────────────────── slash ─────────────────────────────

    function test_slash_revertsIfCallerLacksSlasherRole() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, registry.SLASHER_ROLE()
            )
        );
        vm.prank(alice);
        registry.slash(prov, 1 ether, REASON);

        // Not even the admin may slash without the role.
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, admin, registry.SLASHER_ROLE()
            )
        );
        vm.prank(admin);
        registry.slash(prov, 1 ether, REASON);
        assertEq(uint256(_p(prov).stake), MIN_STAKE, "untouched");
    }

    function test_slash_takesStakeFirstAndSendsToRecipient() public {
        _register(2 * MIN_STAKE);
        vm.prank(prov);
        registry.requestUnbond(MIN_STAKE);
        uint256 before = souk.balanceOf(treasury);

        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.Slashed(prov, 300 ether, 300 ether, REASON);
        vm.prank(slasher);
        uint256 slashed = registry.slash(prov, 300 ether, REASON);

        IProviderRegistry.Provider memory p = _p(prov);
        assertEq(slashed, 300 ether, "slashed");
        assertEq(uint256(p.stake), MIN_STAKE - 300 ether, "from stake");
        assertEq(uint256(p.unbonding), MIN_STAKE, "unbonding untouched");
        assertEq(uint256(p.slashed), 1, "counter");
        assertEq(souk.balanceOf(treasury) - before, 300 ether, "to recipient");
        _assertMoneyInvariant();
    }

    function test_slash_reachesUnbondingWhenStakeExhausted() public {
        _register(2 * MIN_STAKE);
        vm.prank(prov);
        registry.requestUnbond(MIN_STAKE + 400 ether); // stake 600, unbonding 1400
        vm.prank(slasher);
        uint256 slashed = registry.slash(prov, 1_000 ether, REASON);

        IProviderRegistry.Provider memory p = _p(prov);
        assertEq(slashed, 1_000 ether, "slashed");
        assertEq(uint256(p.stake), 0, "stake emptied");
        assertEq(uint256(p.unbonding), 1_000 ether, "400 taken from unbonding");
        _assertMoneyInvariant();
    }

    function test_slash_neverTakesMoreThanBonded() public {
        _register(MIN_STAKE);
        vm.prank(prov);
        registry.requestUnbond(200 ether);
        uint256 before = souk.balanceOf(treasury);

        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.Slashed(prov, 5_000 ether, MIN_STAKE, REASON);
        vm.prank(slasher);
        uint256 slashed = registry.slash(prov, 5_000 ether, REASON);

        assertEq(slashed, MIN_STAKE, "capped at stake + unbonding");
        assertEq(uint256(_p(prov).stake), 0, "stake");
        assertEq(uint256(_p(prov).unbonding), 0, "unbonding");
        assertEq(souk.balanceOf(treasury) - before, MIN_STAKE, "recipient got what there was");
        assertEq(registry.totalBonded(), 0, "nothing bonded");
        _assertMoneyInvariant();

        // Nothing left: a further slash takes zero but still counts and does not revert.
        vm.prank(slasher);
        assertEq(registry.slash(prov, 1 ether, REASON), 0, "nothing left");
        assertEq(uint256(_p(prov).slashed), 2, "counted twice");

        // And a withdraw has nothing to return.
        vm.warp(block.timestamp + UNBONDING_PERIOD);
        vm.expectRevert(IProviderRegistry.SoukZeroAmount.selector);
        vm.prank(prov);
        registry.withdraw();
    }

    function test_slash_takesNothingFromUnregisteredAccount() public {
        uint256 before = souk.balanceOf(treasury);
        vm.prank(slasher);
        uint256 slashed = registry.slash(alice, 1 ether, REASON);
        assertEq(slashed, 0, "nothing");
        assertEq(souk.balanceOf(treasury), before, "no transfer");
        assertEq(uint256(_p(alice).slashed), 0, "unregistered account has no counter");
    }

    function test_slash_goesToUpdatedSlashRecipient() public {
        _register(MIN_STAKE);
        vm.prank(admin);
        registry.setSlashRecipient(bob);
        vm.prank(slasher);
        registry.slash(prov, 10 ether, REASON);
        assertEq(souk.balanceOf(bob), 10 ether, "new recipient");
    }

    // ───────────────────────────── recordResult ─────────────────────────────

    function test_recordResult_revertsIfCallerLacksReporterRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, slasher, registry.REPORTER_ROLE()
            )
        );
        vm.prank(slasher);
        registry.recordResult(prov, true);
    }

    function test_recordResult_movesCountersAndEmits() public {
        _register(MIN_STAKE);
        vm.startPrank(reporter);
        registry.recordResult(prov, true);
        registry.recordResult(prov, true);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.ReputationUpdated(prov, 2, 1);
        registry.recordResult(prov, false);
        vm.stopPrank();
        assertEq(uint256(_p(prov).completed), 2, "completed");
        assertEq(uint256(_p(prov).failed), 1, "failed");
    }

    // ───────────────────────────── governance setters ─────────────────────────────

    function test_setMinStake_updatesAndEmits() public {
        vm.expectEmit(false, false, false, true, address(registry));
        emit IProviderRegistry.MinStakeSet(5 ether);
        vm.prank(admin);
        registry.setMinStake(5 ether);
        assertEq(registry.minStake(), 5 ether, "min stake");
    }

    function test_setMinStake_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, registry.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(alice);
        registry.setMinStake(1);
    }

    function test_setUnbondingPeriod_acceptsMaximumAndEmits() public {
        uint64 max = registry.MAX_UNBONDING_PERIOD();
        vm.expectEmit(false, false, false, true, address(registry));
        emit IProviderRegistry.UnbondingPeriodSet(max);
        vm.prank(admin);
        registry.setUnbondingPeriod(max);
        assertEq(uint256(registry.unbondingPeriod()), max, "max");
        uint64 floor = 3 days;
        vm.prank(slasher);
        registry.setMinUnbondingPeriod(floor);
        vm.prank(admin);
        registry.setUnbondingPeriod(floor);
        assertEq(uint256(registry.unbondingPeriod()), floor, "the floor itself allowed");
    }

    function test_setUnbondingPeriod_revertsIfTooLong() public {
        uint64 max = registry.MAX_UNBONDING_PERIOD();
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.SoukUnbondingPeriodTooLong.selector, uint256(max) + 1, max)
        );
        vm.prank(admin);
        registry.setUnbondingPeriod(max + 1);
        assertEq(uint256(registry.unbondingPeriod()), UNBONDING_PERIOD, "unchanged");
    }

    function test_setUnbondingPeriod_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, prov, registry.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(prov);
        registry.setUnbondingPeriod(1 days);
    }

    function test_setUnbondingPeriod_appliesToLaterRequestsOnly() public {
        _register(2 * MIN_STAKE);
        vm.prank(prov);
        uint64 at = registry.requestUnbond(MIN_STAKE);
        uint64 shorter = registry.minUnbondingPeriod();
        vm.prank(admin);
        registry.setUnbondingPeriod(shorter);
        assertEq(uint256(_p(prov).unbondableAt), at, "existing request keeps its time");
        vm.prank(prov);
        uint64 at2 = registry.requestUnbond(1 ether);
        assertEq(uint256(at2), block.timestamp + shorter, "new period for new request");
    }

    function test_setSlashRecipient_revertsIfZero() public {
        vm.expectRevert(IProviderRegistry.SoukZeroAddress.selector);
        vm.prank(admin);
        registry.setSlashRecipient(address(0));
    }

    function test_setSlashRecipient_updatesAndEmits() public {
        vm.expectEmit(false, false, false, true, address(registry));
        emit IProviderRegistry.SlashRecipientSet(bob);
        vm.prank(admin);
        registry.setSlashRecipient(bob);
        assertEq(registry.slashRecipient(), bob, "recipient");
    }

    function test_setSlashRecipient_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, slasher, registry.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(slasher);
        registry.setSlashRecipient(slasher);
    }

    // ───────────────────────────── stake locks and the unbonding floor ─────────────────────────────

    function test_lockStake_locksFreeStakeAndEmits() public {
        _register(2 * MIN_STAKE);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.StakeLocked(prov, 300 ether, 300 ether);
        vm.prank(slasher);
        registry.lockStake(prov, 300 ether);
        vm.prank(slasher);
        registry.lockStake(prov, 2 * MIN_STAKE - 300 ether); // exactly the rest
        assertEq(registry.lockedStake(prov), 2 * MIN_STAKE, "all locked");
    }

    function test_lockStake_revertsIfAboveFreeStake() public {
        _register(2 * MIN_STAKE);
        vm.prank(slasher);
        registry.lockStake(prov, MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.SoukInsufficientFreeStake.selector, prov, MIN_STAKE, MIN_STAKE + 1)
        );
        vm.prank(slasher);
        registry.lockStake(prov, MIN_STAKE + 1);
        assertEq(registry.lockedStake(prov), MIN_STAKE, "unchanged");
    }

    function test_requestUnbond_revertsIfLockedStakeWouldLeave() public {
        _register(2 * MIN_STAKE);
        vm.prank(slasher);
        registry.lockStake(prov, 1_500 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.SoukInsufficientFreeStake.selector, prov, 500 ether, 501 ether)
        );
        vm.prank(prov);
        registry.requestUnbond(501 ether);
        vm.prank(prov);
        registry.requestUnbond(500 ether); // the free part may go
        assertEq(_p(prov).unbonding, 500 ether, "free part unbonding");
    }

    function test_unlockStake_releasesNeverBelowZeroAndEmits() public {
        _register(2 * MIN_STAKE);
        vm.prank(slasher);
        registry.lockStake(prov, 300 ether);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IProviderRegistry.StakeUnlocked(prov, 100 ether, 200 ether);
        vm.prank(slasher);
        registry.unlockStake(prov, 100 ether);
        vm.prank(slasher);
        registry.unlockStake(prov, 1_000 ether);
        assertEq(registry.lockedStake(prov), 0, "never below zero");
    }

    function test_slash_releasesLockByTheAmountAndKeepsItWithinStake() public {
        _register(2 * MIN_STAKE);
        vm.startPrank(slasher);
        registry.lockStake(prov, 300 ether);
        registry.slash(prov, 100 ether, REASON);
        assertEq(registry.lockedStake(prov), 200 ether, "the fault's lock released");
        registry.lockStake(prov, 2 * MIN_STAKE - 100 ether - 200 ether); // lock everything left
        registry.slash(prov, 50 ether, REASON);
        vm.stopPrank();
        uint256 stake = _p(prov).stake;
        assertEq(stake, 2 * MIN_STAKE - 150 ether, "stake");
        assertEq(registry.lockedStake(prov), stake, "never above the remaining stake");
    }

    function test_lockFunctions_revertIfCallerLacksSlasherRole() public {
        bytes32 role = registry.SLASHER_ROLE();
        bytes memory denied = abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role);
        vm.startPrank(alice);
        vm.expectRevert(denied);
        registry.lockStake(prov, 1);
        vm.expectRevert(denied);
        registry.unlockStake(prov, 1);
        vm.expectRevert(denied);
        registry.setMinUnbondingPeriod(1);
        vm.stopPrank();
    }

    function test_setMinUnbondingPeriod_setsFloorAndEmits() public {
        assertEq(uint256(registry.minUnbondingPeriod()), 0, "no floor in the deployment");
        vm.expectEmit(false, false, false, true, address(registry));
        emit IProviderRegistry.MinUnbondingPeriodSet(UNBONDING_PERIOD);
        vm.prank(slasher);
        registry.setMinUnbondingPeriod(UNBONDING_PERIOD); // the current period itself is allowed
        assertEq(uint256(registry.minUnbondingPeriod()), UNBONDING_PERIOD, "floor");
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukUnbondingPeriodTooShort.selector, UNBONDING_PERIOD - 1, UNBONDING_PERIOD
            )
        );
        vm.prank(admin);
        registry.setUnbondingPeriod(UNBONDING_PERIOD - 1);
    }

    function test_setMinUnbondingPeriod_revertsIfCurrentPeriodIsShorter() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukUnbondingPeriodTooShort.selector, UNBONDING_PERIOD, UNBONDING_PERIOD + 1
            )
        );
        vm.prank(slasher);
        registry.setMinUnbondingPeriod(UNBONDING_PERIOD + 1);
    }

    // ───────────────────────────── money invariant ─────────────────────────────

    function test_totalBonded_equalsBalanceAfterMixedSequence() public {
        address other = newProvider("other");
        _register(5 * MIN_STAKE);
        _assertMoneyInvariant();

        vm.prank(prov);
        registry.increaseStake(123 ether);
        vm.prank(prov);
        registry.requestUnbond(2 * MIN_STAKE);
        vm.prank(other);
        registry.requestUnbond(MIN_STAKE / 2);
        _assertMoneyInvariant();

        vm.prank(slasher);
        registry.slash(prov, 4 * MIN_STAKE, REASON); // all of stake (3123) and 877 of unbonding
        vm.prank(slasher);
        registry.slash(other, 7 ether, REASON);
        _assertMoneyInvariant();

        vm.warp(block.timestamp + UNBONDING_PERIOD);
        vm.prank(prov);
        registry.withdraw();
        vm.prank(other);
        registry.withdraw();
        _assertMoneyInvariant();

        assertEq(registry.totalBonded(), MIN_STAKE * 2 - MIN_STAKE / 2 - 7 ether, "only other's stake left");
    }

    function test_fuzz_stakeUnbondSlash_keepTotalBondedEqualToBalance(
        uint256 stake,
        uint256 extra,
        uint256 unbond,
        uint256 slash1,
        uint256 slash2,
        bool doWithdraw
    ) public {
        stake = bound(stake, MIN_STAKE, 50_000 ether);
        extra = bound(extra, 0, 40_000 ether);
        _register(stake);
        if (extra != 0) {
            vm.prank(prov);
            registry.increaseStake(extra);
        }
        uint256 total = stake + extra;
        unbond = bound(unbond, 1, total);
        vm.prank(prov);
        registry.requestUnbond(unbond);
        _assertMoneyInvariant();

        slash1 = bound(slash1, 0, 2 * total);
        slash2 = bound(slash2, 0, 2 * total);
        vm.startPrank(slasher);
        uint256 s1 = registry.slash(prov, slash1, REASON);
        uint256 s2 = registry.slash(prov, slash2, REASON);
        vm.stopPrank();
        assertEq(s1, slash1 < total ? slash1 : total, "first slash capped");
        assertLe(s1 + s2, total, "never more than bonded");
        assertEq(souk.balanceOf(treasury) + souk.balanceOf(prov) + registry.totalBonded(), SUPPLY, "SOUK conserved");
        _assertMoneyInvariant();

        IProviderRegistry.Provider memory p = _p(prov);
        assertEq(uint256(p.stake) + uint256(p.unbonding), total - s1 - s2, "record matches");
        if (doWithdraw && p.unbonding != 0) {
            vm.warp(p.unbondableAt);
            vm.prank(prov);
            registry.withdraw();
            _assertMoneyInvariant();
            assertEq(registry.totalBonded(), uint256(p.stake), "only stake left");
        }
    }
}
