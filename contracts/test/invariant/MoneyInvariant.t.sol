// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "../utils/SoukFixture.sol";
import {RevertingReceiver, GasBurningReceiver} from "../utils/mocks/Receivers.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {MoneyHandler} from "./handlers/MoneyHandler.sol";

/// @title MoneyInvariantTest
/// @notice Stateful fuzzing of every wei in Souk: Marketplace and Licenses hold exactly their pull credits, the
/// ComputeEscrow exactly deposits + credits, the ProviderRegistry exactly the bonded SOUK; native coin, mUSD and
/// SOUK are conserved across all holders; every sale and licence split exactly as the contracts promise; every
/// slash takes exactly what the registry's rule says and nothing else; locked stake follows its rules and never
/// exceeds the stake. The single target is {MoneyHandler}. The ComputeEscrow's own flows (deposits, batches,
/// disputes, withdrawals) are fuzzed by EscrowInvariantTest; here it acts only as the registry's slasher.
contract MoneyInvariantTest is SoukFixture {
    address internal constant NATIVE = address(0);

    MoneyHandler internal handler;
    RevertingReceiver internal reverter;
    GasBurningReceiver internal burner;
    address internal carol = makeAddr("carol");
    address internal dave = makeAddr("dave");

    function setUp() public override {
        super.setUp();
        reverter = new RevertingReceiver();
        burner = new GasBurningReceiver();
        vm.label(address(reverter), "reverter");
        vm.label(address(burner), "burner");

        // Actor indices: 0 alice, 1 bob, 2 creator, 3 carol, 4 dave, 5 reverter, 6 burner.
        address[] memory pool = new address[](7);
        bool[] memory isContract = new bool[](7);
        (pool[0], pool[1], pool[2], pool[3], pool[4]) = (alice, bob, creator, carol, dave);
        (pool[5], pool[6]) = (address(reverter), address(burner));
        (isContract[5], isContract[6]) = (true, true);

        handler = new MoneyHandler(
            MoneyHandler.Deployment({
                souk: souk,
                nft: nft,
                market: market,
                licenses: licenses,
                registry: registry,
                usd: usd,
                treasury: treasury,
                slasher: address(escrow),
                gasBurner: address(burner),
                admin: admin
            }),
            pool,
            isContract
        );

        // A little starting state so that sales, slashes and locks are reachable within one run's depth: a model
        // and five providers (two of them the hostile contract actors), and a two-day unbonding period.
        vm.prank(admin);
        registry.setUnbondingPeriod(2 days);
        handler.mint(2, 500, 0);
        handler.registerProvider(0, 2 * MIN_STAKE);
        handler.registerProvider(1, 2 * MIN_STAKE);
        handler.registerProvider(2, 2 * MIN_STAKE);
        handler.registerProvider(5, 2 * MIN_STAKE);
        handler.registerProvider(6, 2 * MIN_STAKE);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](18);
        selectors[0] = MoneyHandler.mint.selector;
        selectors[1] = MoneyHandler.publishVersion.selector;
        selectors[2] = MoneyHandler.list.selector;
        selectors[3] = MoneyHandler.updatePrice.selector;
        selectors[4] = MoneyHandler.cancel.selector;
        selectors[5] = MoneyHandler.buy.selector;
        selectors[6] = MoneyHandler.transferNFT.selector;
        selectors[7] = MoneyHandler.setTerms.selector;
        selectors[8] = MoneyHandler.purchaseLicense.selector;
        selectors[9] = MoneyHandler.withdrawCredits.selector;
        selectors[10] = MoneyHandler.registerProvider.selector;
        selectors[11] = MoneyHandler.increaseStake.selector;
        selectors[12] = MoneyHandler.requestUnbond.selector;
        selectors[13] = MoneyHandler.withdrawStake.selector;
        selectors[14] = MoneyHandler.slash.selector;
        selectors[15] = MoneyHandler.lockStake.selector;
        selectors[16] = MoneyHandler.unlockStake.selector;
        selectors[17] = MoneyHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // ═════════════════════════════ invariants ═════════════════════════════

    /// @notice 1. Marketplace and Licenses hold nothing but pull credits, in each currency.
    function invariant_marketAndLicensesHoldOnlyCredits() public view {
        assertEq(address(market).balance, market.totalCredits(NATIVE), "market native != credits");
        assertEq(usd.balanceOf(address(market)), market.totalCredits(address(usd)), "market usd != credits");
        assertEq(address(licenses).balance, licenses.totalCredits(NATIVE), "licenses native != credits");
        assertEq(usd.balanceOf(address(licenses)), licenses.totalCredits(address(usd)), "licenses usd != credits");
    }

    /// @notice 2. The ComputeEscrow holds exactly deposits + credits, in each currency (its flows are fuzzed by
    /// EscrowInvariantTest; here it must stay whole while it slashes and locks in the registry).
    function invariant_escrowHoldsDepositsPlusCredits() public view {
        assertEq(
            address(escrow).balance,
            escrow.totalDeposits(NATIVE) + escrow.totalCredits(NATIVE),
            "escrow native != deposits + credits"
        );
        assertEq(
            usd.balanceOf(address(escrow)),
            escrow.totalDeposits(address(usd)) + escrow.totalCredits(address(usd)),
            "escrow usd != deposits + credits"
        );
    }

    /// @notice 3. The registry's SOUK == totalBonded == Σ stake + unbonding over every provider.
    function invariant_registryHoldsBonded() public view {
        address[] memory actors = handler.allActors();
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            IProviderRegistry.Provider memory p = registry.getProvider(actors[i]);
            sum += uint256(p.stake) + p.unbonding;
        }
        assertEq(souk.balanceOf(address(registry)), registry.totalBonded(), "registry SOUK != totalBonded");
        assertEq(registry.totalBonded(), sum, "totalBonded != sum of stake + unbonding");
    }

    /// @notice 4. No wei created or lost: native, mUSD and SOUK summed over every holder stay what was dealt.
    function invariant_conservation() public view {
        address[] memory holders = _holders();
        uint256 nativeSum;
        uint256 usdSum;
        uint256 soukSum;
        for (uint256 i; i < holders.length; ++i) {
            nativeSum += holders[i].balance;
            usdSum += usd.balanceOf(holders[i]);
            soukSum += souk.balanceOf(holders[i]);
        }
        assertEq(nativeSum, handler.ghost_nativeDealt(), "native created or lost");
        assertEq(usdSum, handler.ghost_usdDealt(), "usd created or lost");
        assertEq(usd.totalSupply(), handler.ghost_usdDealt(), "usd supply changed");
        assertEq(soukSum, SUPPLY, "SOUK created or lost");
        assertEq(souk.totalSupply(), SUPPLY, "SOUK supply changed");
    }

    /// @notice 5. Every payment split exactly as specified (royalty, fee, seller / owner; withdrawals), and per
    /// contract and currency: collected == distributed (pushed + credited, withdrawn credits included).
    function invariant_paymentsSplitExactly() public view {
        assertEq(handler.ghost_payoutMismatch(), 0, string.concat("payout mismatch: ", handler.ghost_firstMismatch()));
        address[2] memory cs = [address(market), address(licenses)];
        for (uint256 c; c < 2; ++c) {
            for (uint256 i; i < 2; ++i) {
                assertEq(handler.ghost_collected(c, cs[i]), handler.ghost_distributed(c, cs[i]), "collected != distributed");
            }
        }
    }

    /// @notice 6. Every slash took exactly min(amount, stake + unbonding), stake first, all of it to the slash
    /// recipient, and counted the slash; nothing else left the registry but withdrawals of unbonded stake.
    function invariant_slashesTakeExactlyWhatIsDue() public view {
        assertEq(handler.ghost_slashMismatch(), 0, handler.ghost_firstSlashError());
    }

    /// @notice 7. Locks follow the registry's rules (lock adds within the free stake; unlock and slash release,
    /// never below zero; a slash caps what stays locked at the remaining stake), and never exceed the stake.
    function invariant_locksFollowTheirRules() public view {
        address[] memory actors = handler.allActors();
        for (uint256 a; a < actors.length; ++a) {
            uint256 locked = registry.lockedStake(actors[a]);
            assertEq(locked, handler.ghost_locked(actors[a]), "locked stake != the ghost's");
            assertLe(locked, registry.getProvider(actors[a]).stake, "locked above stake");
        }
    }

    /// @notice 8. The handler's own bookkeeping: no action succeeded more often than it ran, and the run did
    /// something (prints the counts with -vv).
    function invariant_callSummary() public view {
        assertTrue(handler.totalCalls() != 0, "no handler call ran");
        assertTrue(handler.successesWithinCalls(), "an action succeeded more often than it was called");
        handler.logSummary();
    }

    // ═════════════════════════════ fixed sequence ═════════════════════════════

    /// @notice A fixed walk through every money path: sale with a reverting royalty receiver, USD sale, a stale
    /// listing, licences, stake locked then partly slashed and released, an unbond of locked stake refused, a slash
    /// reaching into unbonding funds, a slash of an unregistered account, credit withdrawals and unbonding.
    function test_fixedSequence_reachesSettlementPaths() public {
        // Sale in native of an asset created by the reverting receiver: royalty + proceeds land in credits.
        handler.mint(5, 700, 0); // token 2, reverter
        handler.list(2, 0, 1 ether);
        handler.buy(2, 0); // alice buys
        assertEq(nft.ownerOf(2), alice, "alice owns token 2");
        assertGe(market.creditsOf(NATIVE, address(reverter)), 0.9 ether, "reverter credited");

        // USD sale of an asset created by the gas burner.
        handler.mint(6, 1_000, 1); // token 3, burner
        handler.list(3, 1, 5e6);
        handler.buy(3, 1); // bob buys
        assertEq(nft.ownerOf(3), bob, "bob owns token 3");

        // Stale listing: list, transfer, anyone cancels.
        handler.list(1, 0, 2 ether); // creator lists token 1
        handler.transferNFT(1, 3); // to carol
        handler.transferNFT(1, 2); // back to creator: still stale (transfer count moved)
        handler.buy(1, 4); // skipped: not valid
        handler.cancel(1, 1); // alice (odd seed → actor 1 >> 1 = 0) clears the stale listing
        assertEq(market.getListing(1).seller, address(0), "stale listing cleared");

        // Licences: perpetual native on token 1; timed native on token 3, whose creator (burner) is credited.
        handler.setTerms(1, 0, 0.1 ether, 0);
        handler.purchaseLicense(1, 3, 4);
        handler.setTerms(3, 0, 1 ether, 1);
        handler.purchaseLicense(3, 4, 5);
        assertEq(licenses.creditsOf(NATIVE, address(burner)), 0.1 ether, "burner royalty credited");

        // Stake: the escrow locks 300 SOUK of alice's; she cannot unbond it, a slash of 100 takes stake and releases
        // that much of the lock; a lock beyond her free stake is refused; the escrow releases the rest.
        handler.lockStake(0, (300 ether << 2) | 1);
        assertEq(registry.lockedStake(alice), 300 ether, "locked");
        handler.requestUnbond(0, 2 * MIN_STAKE - 1); // odd seed: 2,000 SOUK − 1 wei, more than the free stake
        assertEq(registry.getProvider(alice).unbonding, 0, "locked stake stayed");
        handler.slash(0, 100 ether);
        assertEq(registry.getProvider(alice).stake, 2 * MIN_STAKE - 100 ether, "slashed from stake");
        assertEq(registry.lockedStake(alice), 200 ether, "the lock that backed the fault released");
        handler.lockStake(0, 4); // seed % 4 == 0: one wei more than the free stake, refused
        assertEq(registry.lockedStake(alice), 200 ether, "over-lock refused");
        handler.unlockStake(0, 250 ether);
        assertEq(registry.lockedStake(alice), 0, "unlocked, never below zero");
        handler.requestUnbond(0, 200 ether << 1); // even seed: 200 SOUK of the excess over the minimum
        assertEq(registry.getProvider(alice).unbonding, 200 ether, "free stake unbonds");

        // Bob unbonds 250 SOUK; a slash of 1,900 takes his 1,750 of stake, then 150 of his unbonding funds.
        handler.requestUnbond(1, 500 ether);
        assertEq(registry.getProvider(bob).unbonding, 250 ether, "bob unbonding");
        uint256 treasuryBefore = souk.balanceOf(treasury);
        handler.slash(1, 1_900 ether);
        assertEq(registry.getProvider(bob).stake, 0, "stake first");
        assertEq(registry.getProvider(bob).unbonding, 100 ether, "then unbonding");
        assertEq(souk.balanceOf(treasury), treasuryBefore + 1_900 ether, "all to the slash recipient");

        // Carol, unregistered, is slashed nothing; then she joins.
        handler.slash(3, 50 ether);
        assertEq(registry.getProvider(carol).slashed, 0, "nothing to slash");
        handler.registerProvider(3, 2 * MIN_STAKE);
        assertTrue(registry.isActive(carol), "carol active");

        // Credits out: the reverter's sale proceeds to alice, the burner's licence credits to an EOA.
        handler.withdrawCredits(0, 5, 0, 1);
        handler.withdrawCredits(1, 6, 0, 2);
        assertEq(market.creditsOf(NATIVE, address(reverter)), 0, "reverter withdrew");
        assertEq(licenses.creditsOf(NATIVE, address(burner)), 0, "burner withdrew licence credits");

        // Withdraw bob's remaining unbonding funds (warps past the unbonding period), add stake.
        handler.withdrawStake(1, 0);
        assertEq(registry.getProvider(bob).unbonding, 0, "bob withdrew");
        handler.increaseStake(2, 10 ether);
        handler.warp(1 hours);

        string[16] memory mustSucceed = [
            "mint", "list", "buy", "transferNFT", "cancel", "setTerms", "purchaseLicense", "withdrawCredits",
            "registerProvider", "requestUnbond", "withdrawStake", "increaseStake", "slash", "lockStake",
            "unlockStake", "warp"
        ];
        for (uint256 i; i < mustSucceed.length; ++i) {
            assertGe(handler.successCount(mustSucceed[i]), 1, mustSucceed[i]);
        }

        invariant_marketAndLicensesHoldOnlyCredits();
        invariant_escrowHoldsDepositsPlusCredits();
        invariant_registryHoldsBonded();
        invariant_conservation();
        invariant_paymentsSplitExactly();
        invariant_slashesTakeExactlyWhatIsDue();
        invariant_locksFollowTheirRules();
        handler.logSummary();
    }

    // ═════════════════════════════ helpers ═════════════════════════════

    function _holders() internal view returns (address[] memory holders) {
        address[] memory actors = handler.allActors();
        address[12] memory others = [
            treasury,
            address(market),
            address(licenses),
            address(escrow),
            address(registry),
            address(handler),
            admin,
            guardian,
            settler,
            referee,
            address(nft),
            address(usd)
        ];
        holders = new address[](actors.length + others.length);
        for (uint256 i; i < actors.length; ++i) {
            holders[i] = actors[i];
        }
        for (uint256 i; i < others.length; ++i) {
            holders[actors.length + i] = others[i];
        }
    }
}
