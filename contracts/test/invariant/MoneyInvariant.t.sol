// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "../utils/SoukFixture.sol";
import {RevertingReceiver, GasBurningReceiver} from "../utils/mocks/Receivers.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {MoneyHandler} from "./handlers/MoneyHandler.sol";

/// @title MoneyInvariantTest
/// @notice Stateful fuzzing of every wei in Souk: Marketplace and Licenses hold exactly their pull credits,
/// ComputeMarket exactly escrow + credits, the ProviderRegistry exactly the bonded SOUK; native coin, mUSD and SOUK
/// are conserved across all holders; every settled or refunded job paid out its reward exactly, split as the
/// contracts promise. The single target is {MoneyHandler}.
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
                compute: compute,
                usd: usd,
                treasury: treasury,
                scheduler: scheduler,
                referee: referee,
                gasBurner: address(burner),
                admin: admin
            }),
            pool,
            isContract
        );

        // A little starting state so that compute jobs are reachable within one run's depth: a model and five
        // providers (two of them the hostile contract actors), one-day jobs and an unbonding period that covers a
        // job's life with room for the handler's governance changes (1 day + 2 h + 2 h + 12 h < 2 days).
        vm.startPrank(admin);
        compute.setMaxJobDuration(1 days);
        compute.setDisputePeriod(12 hours);
        registry.setUnbondingPeriod(2 days);
        vm.stopPrank();
        handler.mint(2, 500, 0);
        handler.registerProvider(0, 2 * MIN_STAKE);
        handler.registerProvider(1, 2 * MIN_STAKE);
        handler.registerProvider(2, 2 * MIN_STAKE);
        handler.registerProvider(5, 2 * MIN_STAKE);
        handler.registerProvider(6, 2 * MIN_STAKE);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](32);
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
        selectors[14] = MoneyHandler.submitJob.selector;
        selectors[15] = MoneyHandler.assignProviders.selector;
        selectors[16] = MoneyHandler.commitResults.selector;
        selectors[17] = MoneyHandler.revealResults.selector;
        selectors[18] = MoneyHandler.finalize.selector;
        selectors[19] = MoneyHandler.challenge.selector;
        selectors[20] = MoneyHandler.settleDispute.selector;
        selectors[21] = MoneyHandler.refund.selector;
        selectors[22] = MoneyHandler.cancelJob.selector;
        selectors[23] = MoneyHandler.warp.selector;
        selectors[24] = MoneyHandler.progressJob.selector;
        selectors[25] = MoneyHandler.failJob.selector;
        selectors[26] = MoneyHandler.lastSecondRevealThenSelfFinalize.selector;
        selectors[27] = MoneyHandler.lateAssign.selector;
        selectors[28] = MoneyHandler.governParameters.selector;
        selectors[29] = MoneyHandler.unbondDuringJob.selector;
        selectors[30] = MoneyHandler.partialRevealThenRefund.selector;
        selectors[31] = MoneyHandler.releaseProvider.selector;
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

    /// @notice 2. ComputeMarket holds exactly escrow + credits, in each currency.
    function invariant_computeHoldsEscrowPlusCredits() public view {
        assertEq(
            address(compute).balance,
            compute.totalEscrowed(NATIVE) + compute.totalCredits(NATIVE),
            "compute native != escrow + credits"
        );
        assertEq(
            usd.balanceOf(address(compute)),
            compute.totalEscrowed(address(usd)) + compute.totalCredits(address(usd)),
            "compute usd != escrow + credits"
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

    /// @notice 5. Escrow per currency == Σ rewards of jobs not yet Finalized/Refunded; every closed job paid out
    /// (measured on the payees' balances + credits) exactly its reward; on-chain rewards match what was paid in.
    function invariant_jobsPaidExactly() public view {
        uint256 n = handler.jobCount();
        uint256 openNative;
        uint256 openUsd;
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.jobIds(i);
            IComputeMarket.Job memory job = compute.getJob(id);
            uint256 reward = handler.ghost_jobReward(id);
            assertEq(job.reward, reward, "job reward differs from what was paid in");
            assertEq(job.currency, handler.ghost_jobCurrency(id), "job currency");
            bool closed = job.status == IComputeMarket.JobStatus.Finalized
                || job.status == IComputeMarket.JobStatus.Refunded || job.status == IComputeMarket.JobStatus.Failed;
            assertEq(closed, handler.ghost_jobClosed(id), "job closed outside the handler's view");
            if (closed) {
                assertEq(handler.ghost_jobPaidOut(id), reward, "closed job did not pay out exactly its reward");
            } else if (job.currency == NATIVE) {
                openNative += reward;
            } else {
                openUsd += reward;
            }
        }
        assertEq(compute.totalEscrowed(NATIVE), openNative, "native escrow != open job rewards");
        assertEq(compute.totalEscrowed(address(usd)), openUsd, "usd escrow != open job rewards");
    }

    /// @notice 6. Every payment split exactly as specified (royalty, fee, seller / owner; provider, creator,
    /// treasury; refunds; withdrawals), and per contract: collected == distributed (+ escrow for compute),
    /// distributed == pushed + credits (withdrawn credits included).
    function invariant_paymentsSplitExactly() public view {
        assertEq(handler.ghost_payoutMismatch(), 0, string.concat("payout mismatch: ", handler.ghost_firstMismatch()));
        address[3] memory cs = [address(market), address(licenses), address(compute)];
        for (uint256 c; c < 2; ++c) {
            address currency = c == 0 ? NATIVE : address(usd);
            for (uint256 i; i < 3; ++i) {
                uint256 escrow = cs[i] == address(compute) ? compute.totalEscrowed(currency) : 0;
                assertEq(
                    handler.ghost_collected(c, cs[i]),
                    handler.ghost_distributed(c, cs[i]) + escrow,
                    "collected != distributed + escrow"
                );
            }
        }
    }

    /// @notice 7. No honest provider slashed: a settlement takes nothing from a provider that committed to no fault
    /// in that job (finalize, failJob, an unsettled dispute's refund, the right side of a dispute).
    function invariant_noHonestProviderSlashed() public view {
        assertEq(handler.ghost_honestSlashed(), 0, handler.ghost_firstSlashError());
    }

    /// @notice 8. No fault escapes its slash: every wrong result the referee settles, every missing commit and
    /// every missing reveal costs exactly the job's snapshot slash amount (however the provider unbonded meanwhile).
    function invariant_noFaultEscapesItsSlash() public view {
        assertEq(handler.ghost_faultEscaped(), 0, handler.ghost_firstSlashError());
    }

    /// @notice 9. Locks match open liabilities: each provider's locked stake is exactly the sum of the slash amounts
    /// of the unsettled jobs it is assigned to, and never above its stake.
    function invariant_locksMatchOpenAssignments() public view {
        address[] memory actors = handler.allActors();
        uint256[] memory owed = new uint256[](actors.length);
        uint256 n = handler.jobCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.jobIds(i);
            IComputeMarket.Job memory job = compute.getJob(id);
            IComputeMarket.JobStatus s = job.status;
            if (
                s != IComputeMarket.JobStatus.Assigned && s != IComputeMarket.JobStatus.Revealing
                    && s != IComputeMarket.JobStatus.Disputed
            ) continue;
            address[] memory ps = compute.providersOf(id);
            for (uint256 j; j < ps.length; ++j) {
                for (uint256 a; a < actors.length; ++a) {
                    if (actors[a] == ps[j]) owed[a] += job.slashAmount;
                }
            }
        }
        for (uint256 a; a < actors.length; ++a) {
            uint256 locked = registry.lockedStake(actors[a]);
            assertEq(locked, owed[a], "locked stake != slash amounts of the provider's open jobs");
            assertLe(locked, registry.getProvider(actors[a]).stake, "locked above stake");
        }
    }

    /// @notice 10. The handler's own bookkeeping: no action succeeded more often than it ran, and the run did
    /// something (prints the counts with -vv).
    function invariant_callSummary() public view {
        assertTrue(handler.totalCalls() != 0, "no handler call ran");
        assertTrue(handler.successesWithinCalls(), "an action succeeded more often than it was called");
        handler.logSummary();
    }

    // ═════════════════════════════ fixed sequence ═════════════════════════════

    /// @notice A fixed walk through every settlement path: sale with a reverting royalty receiver, USD sale,
    /// licences, a 5-provider job finalized with contract providers, a disputed job settled by the referee, an
    /// expired job refunded with a penalty, a cancelled job, an agreeing job challenged by the referee's audit and
    /// settled against its provider, credit withdrawals and unbonding.
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

        // Job 1: r = 5, native, honest → finalized; reverter (creator of token 2) and burner credited.
        handler.submitJob(3, 2, 1 ether, 8);
        handler.assignProviders(0, 0);
        handler.commitResults(0, 1, 1); // everyone, honest
        assertEq(uint8(compute.getJob(1).status), uint8(IComputeMarket.JobStatus.Revealing), "job 1 revealing");
        handler.revealResults(0, 1);
        handler.finalize(0, 0);
        assertEq(uint8(compute.getJob(1).status), uint8(IComputeMarket.JobStatus.Finalized), "job 1 finalized");
        assertEq(compute.creditsOf(NATIVE, address(burner)), 0.16 ether, "burner provider share credited");

        // Job 2: r = 3, usd, slot 0 lies → disputed → referee settles; the liar is slashed.
        handler.submitJob(4, 1, 1e8, 5);
        handler.assignProviders(1, 0);
        handler.commitResults(1, 1, 6); // even seed: corrupt mask 6 >> 2 = slot 0
        handler.revealResults(1, 1);
        assertEq(uint8(compute.getJob(2).status), uint8(IComputeMarket.JobStatus.Disputed), "job 2 disputed");
        handler.settleDispute(1);
        assertEq(uint8(compute.getJob(2).status), uint8(IComputeMarket.JobStatus.Finalized), "job 2 settled");
        assertEq(registry.getProvider(alice).stake, 2 * MIN_STAKE - SLASH_AMOUNT, "liar slashed");

        // Job 3: r = 2, native, one commit only → expires → refunded, the silent provider slashed.
        handler.submitJob(0, 1, 2 ether, 2);
        handler.assignProviders(2, 1);
        handler.commitResults(2, 0, 1); // one commit only
        handler.refund(2, 0, 0);
        assertEq(uint8(compute.getJob(3).status), uint8(IComputeMarket.JobStatus.Refunded), "job 3 refunded");

        // Job 4: r = 1, usd → cancelled by its requester.
        handler.submitJob(1, 1, 1e9, 1);
        handler.cancelJob(12); // 12 % 3 == 0 acts; job index 12 >> 2 = 3
        assertEq(uint8(compute.getJob(4).status), uint8(IComputeMarket.JobStatus.Refunded), "job 4 cancelled");

        // Job 5: r = 3, native, driven by progressJob alone (3 steps: assign, commit all, reveal all; then finalize).
        handler.submitJob(3, 1, 1 ether, 4);
        handler.progressJob(4, 5);
        handler.progressJob(4, 0);
        assertEq(uint8(compute.getJob(5).status), uint8(IComputeMarket.JobStatus.Finalized), "job 5 finalized");

        // Job 6: r = 1, native, the lone provider fakes its result → nobody disagrees, but the referee's audit
        // challenges it → settled against the provider: slashed, requester refunded.
        handler.submitJob(4, 1, 1 ether, 0);
        handler.assignProviders(5, 0);
        handler.commitResults(5, 1, 4); // even seed: corrupt mask 4 >> 2 = slot 0
        handler.revealResults(5, 1);
        assertEq(uint8(compute.getJob(6).status), uint8(IComputeMarket.JobStatus.Revealing), "job 6 agreeing");
        handler.finalize(5, 3); // an actor inside the reveal window: refused, the audit still has time
        assertEq(uint8(compute.getJob(6).status), uint8(IComputeMarket.JobStatus.Revealing), "job 6 not finalized");
        handler.challenge(5, 0);
        assertEq(uint8(compute.getJob(6).status), uint8(IComputeMarket.JobStatus.Disputed), "job 6 challenged");
        address cheat = compute.providersOf(6)[0];
        uint256 cheatStake = registry.getProvider(cheat).stake;
        handler.settleDispute(5);
        assertEq(uint8(compute.getJob(6).status), uint8(IComputeMarket.JobStatus.Refunded), "job 6 refunded");
        assertEq(registry.getProvider(cheat).stake, cheatStake - SLASH_AMOUNT, "cheat slashed");

        // Governance raises the slash amount mid-flight; job 7 (r = 2, native) was submitted before, so it keeps
        // 100 SOUK: its providers cannot unbond the locked part, reveal at the deadline's last second, and cannot
        // finalize themselves one second later; the scheduler does.
        handler.submitJob(0, 1, 1 ether, 2); // job 7
        handler.governParameters(1 + (uint256(300 ether) << 8)); // setSlashAmount(300 SOUK)
        assertEq(compute.slashAmount(), 300 ether, "slash raised");
        handler.assignProviders(6, 0);
        assertEq(compute.getJob(7).slashAmount, SLASH_AMOUNT, "job 7 keeps its slash amount");
        handler.unbondDuringJob(6);
        address locked7 = compute.providersOf(7)[0];
        assertEq(registry.getProvider(locked7).stake, registry.lockedStake(locked7), "only the locked part stayed");
        handler.commitResults(6, 1, 1);
        handler.lastSecondRevealThenSelfFinalize(6);
        assertEq(uint8(compute.getJob(7).status), uint8(IComputeMarket.JobStatus.Revealing), "self-finalize refused");
        handler.finalize(6, 0); // the scheduler
        assertEq(uint8(compute.getJob(7).status), uint8(IComputeMarket.JobStatus.Finalized), "job 7 finalized");
        assertEq(registry.lockedStake(locked7), 0, "lock released");

        // Job 8: too late to assign, then failed by the referee (bad input): refunded in full.
        handler.submitJob(1, 1, 1e9, 0); // job 8, native, r = 1, due in an hour
        handler.lateAssign(7, 10);
        assertEq(uint8(compute.getJob(8).status), uint8(IComputeMarket.JobStatus.Open), "late assignment refused");
        handler.failJob(28); // 28 % 4 == 0; job index 28 >> 2 = 7
        assertEq(uint8(compute.getJob(8).status), uint8(IComputeMarket.JobStatus.Failed), "job 8 failed");

        // Job 9: r = 2, native; both commit, one reveals, the job expires: the silent one is slashed the job's
        // amount (300 SOUK since governance raised it), the one that revealed keeps every wei.
        handler.submitJob(0, 1, 1 ether, 2); // job 9
        handler.assignProviders(8, 0);
        handler.commitResults(8, 1, 1);
        address[] memory ps9 = compute.providersOf(9);
        uint256 revealerStake = registry.getProvider(ps9[0]).stake;
        uint256 silentStake = registry.getProvider(ps9[1]).stake;
        handler.partialRevealThenRefund(9, 0); // 9 % 2 = 1: slot 1 stays silent
        assertEq(uint8(compute.getJob(9).status), uint8(IComputeMarket.JobStatus.Refunded), "job 9 refunded");
        assertEq(registry.getProvider(ps9[0]).stake, revealerStake, "the revealer keeps its stake");
        assertEq(registry.getProvider(ps9[1]).stake, silentStake - 300 ether, "the silent one is slashed");

        // A new provider joins.
        handler.registerProvider(3, 2 * MIN_STAKE);
        assertTrue(registry.isActive(carol), "carol active");

        // Credits out: reverter's sale proceeds to alice, burner's compute and licence credits to EOAs.
        handler.withdrawCredits(0, 5, 0, 1);
        handler.withdrawCredits(2, 6, 0, 0);
        handler.withdrawCredits(1, 6, 0, 2);
        assertEq(market.creditsOf(NATIVE, address(reverter)), 0, "reverter withdrew");
        assertEq(compute.creditsOf(NATIVE, address(burner)), 0, "burner withdrew compute credits");
        assertEq(licenses.creditsOf(NATIVE, address(burner)), 0, "burner withdrew licence credits");

        // Unbond and withdraw stake (warps past the unbonding period).
        handler.requestUnbond(1, 500 ether);
        handler.withdrawStake(1, 0);
        handler.increaseStake(2, 10 ether);

        string[14] memory mustSucceed = [
            "mint", "list", "buy", "transferNFT", "cancel", "setTerms", "purchaseLicense", "withdrawCredits",
            "registerProvider", "submitJob", "assignProviders", "commitResults", "revealResults", "finalize"
        ];
        for (uint256 i; i < mustSucceed.length; ++i) {
            assertGe(handler.successCount(mustSucceed[i]), 1, mustSucceed[i]);
        }
        string[14] memory mustSucceedToo = [
            "challenge", "settleDispute", "refund", "cancelJob", "requestUnbond", "withdrawStake", "increaseStake",
            "progressJob", "failJob", "lastSecondRevealThenSelfFinalize", "lateAssign", "governParameters",
            "unbondDuringJob", "partialRevealThenRefund"
        ];
        for (uint256 i; i < mustSucceedToo.length; ++i) {
            assertGe(handler.successCount(mustSucceedToo[i]), 1, mustSucceedToo[i]);
        }

        invariant_marketAndLicensesHoldOnlyCredits();
        invariant_computeHoldsEscrowPlusCredits();
        invariant_registryHoldsBonded();
        invariant_conservation();
        invariant_jobsPaidExactly();
        invariant_paymentsSplitExactly();
        invariant_noHonestProviderSlashed();
        invariant_noFaultEscapesItsSlash();
        invariant_locksMatchOpenAssignments();
        handler.logSummary();
    }

    // ═════════════════════════════ helpers ═════════════════════════════

    function _holders() internal view returns (address[] memory holders) {
        address[] memory actors = handler.allActors();
        address[11] memory others = [
            treasury,
            address(market),
            address(licenses),
            address(compute),
            address(registry),
            address(handler),
            admin,
            guardian,
            scheduler,
            referee,
            address(nft)
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
