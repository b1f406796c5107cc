// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "../utils/SoukFixture.sol";
import {EscrowHandler} from "./handlers/EscrowHandler.sol";

/// @title EscrowInvariantTest
/// @notice Stateful fuzzing of every wei in the ComputeEscrow (compute protocol v2): the contract holds exactly
/// deposits + credits in each currency, the per-account balances sum to the deposits and the payees' credits to the
/// credits, no native coin or mUSD is created or lost, and every action did what the contract promises
/// ({EscrowHandler} predicts each one). A suite of its own beside MoneyInvariantTest, whose conservation and
/// registry sums range over that handler's actors only.
contract EscrowInvariantTest is SoukFixture {
    address internal constant NATIVE = address(0);

    EscrowHandler internal handler;

    function setUp() public override {
        super.setUp();
        uint256 modelId = mintModel(creator, 500);
        uint256[] memory requesterKeys = new uint256[](3);
        (requesterKeys[0], requesterKeys[1], requesterKeys[2]) = (0xA11CE, 0xA11CF, 0xA11D0);
        uint256[] memory providerKeys = new uint256[](3);
        (providerKeys[0], providerKeys[1], providerKeys[2]) = (0xB0B1, 0xB0B2, 0xB0B3);
        for (uint256 i; i < providerKeys.length; ++i) {
            registerProvider(vm.addr(providerKeys[i]), MIN_STAKE * 3);
        }
        handler = new EscrowHandler(
            escrow, registry, usd, [settler, referee, creator, treasury], modelId, requesterKeys, providerKeys
        );
        // Start with money in: the batches have something to charge from the first call.
        for (uint256 i; i < 3; ++i) {
            handler.deposit(i, 1, 4 ether); // 2 ether native, own account
            handler.deposit(i, 1, 4e6 + 1); // 2 mUSD
        }

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = EscrowHandler.deposit.selector;
        selectors[1] = EscrowHandler.requestWithdrawal.selector;
        selectors[2] = EscrowHandler.cancelWithdrawal.selector;
        selectors[3] = EscrowHandler.withdraw.selector;
        selectors[4] = EscrowHandler.withdrawCredits.selector;
        selectors[5] = EscrowHandler.warp.selector;
        selectors[6] = EscrowHandler.settleBatch.selector;
        selectors[7] = EscrowHandler.settleDispute.selector;
        selectors[8] = EscrowHandler.requestNonceInvalidation.selector;
        selectors[9] = EscrowHandler.completeNonceInvalidation.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice 1. The escrow holds exactly deposits + credits, in each currency.
    function invariant_holdsDepositsPlusCredits() public view {
        assertEq(
            address(escrow).balance,
            escrow.totalDeposits(NATIVE) + escrow.totalCredits(NATIVE),
            "native != deposits + credits"
        );
        assertEq(
            usd.balanceOf(address(escrow)),
            escrow.totalDeposits(address(usd)) + escrow.totalCredits(address(usd)),
            "usd != deposits + credits"
        );
    }

    /// @notice 2. Σ per-account balances == totalDeposits and Σ payees' credits == totalCredits, per currency.
    function invariant_sumsMatchTotals() public view {
        address[] memory rs = handler.allRequesters();
        address[] memory ps = handler.allPayees();
        address[2] memory currencies = [NATIVE, address(usd)];
        for (uint256 c; c < 2; ++c) {
            uint256 balances;
            for (uint256 i; i < rs.length; ++i) {
                balances += escrow.balanceOf(currencies[c], rs[i]);
            }
            assertEq(balances, escrow.totalDeposits(currencies[c]), "sum of balances != totalDeposits");
            uint256 credits;
            for (uint256 i; i < ps.length; ++i) {
                credits += escrow.creditsOf(currencies[c], ps[i]);
            }
            assertEq(credits, escrow.totalCredits(currencies[c]), "sum of credits != totalCredits");
        }
    }

    /// @notice 3. No wei created or lost: requesters + payees + the escrow hold what was dealt.
    function invariant_conservation() public view {
        address[] memory rs = handler.allRequesters();
        address[] memory ps = handler.allPayees();
        uint256 native = address(escrow).balance;
        uint256 dollars = usd.balanceOf(address(escrow));
        for (uint256 i; i < rs.length; ++i) {
            native += rs[i].balance;
            dollars += usd.balanceOf(rs[i]);
        }
        for (uint256 i; i < ps.length; ++i) {
            native += ps[i].balance;
            dollars += usd.balanceOf(ps[i]);
        }
        assertEq(native, handler.ghost_nativeDealt(), "native created or lost");
        assertEq(dollars, handler.ghost_usdDealt(), "usd created or lost");
    }

    /// @notice 4. Every action did what the contract promises (counts, charges, credits, nonces, withdrawals).
    function invariant_actionsAsPredicted() public view {
        assertEq(handler.ghost_mismatch(), 0, handler.ghost_firstMismatch());
    }

    /// @notice A fixed walk: every action reaches its success path at least once.
    function test_fixedSequence_reachesEveryPath() public {
        handler.settleBatch(1, 6);
        handler.settleBatch(2, 4);
        handler.settleDispute(3 | (1 << 16));
        handler.requestWithdrawal(0, 2); // native
        handler.withdraw(0, 0, 0); // warps past the delay
        for (uint256 i; i < 10; ++i) {
            handler.withdrawCredits(i >> 1, i); // every payee, both currencies
        }
        handler.deposit(1, 3, 5);
        // A requester asks to invalidate its next nonce; its order still settles (disputed here) while pending.
        uint256 disputeSeed = 1 << 16; // requester 1 (65,536 % 3), native, price 0, first provider right
        handler.requestNonceInvalidation(disputeSeed, 1); // its next nonce and that one's neighbour
        handler.settleDispute(disputeSeed);
        // Its next order is refused once the invalidation is in effect; then the requester completes it.
        handler.requestNonceInvalidation(disputeSeed, 1);
        handler.warp(2 hours);
        handler.settleDispute(disputeSeed);
        handler.completeNonceInvalidation(disputeSeed, 1);
        handler.warp(100);
        assertGe(handler.ghost_settled(), 1, "settled");
        assertGe(handler.ghost_skipped(), 1, "skipped");
        assertGe(handler.ghost_disputes(), 1, "disputes");
        assertGe(handler.ghost_withdrawals(), 1, "withdrawals");
        assertGe(handler.ghost_creditWithdrawals(), 1, "credit withdrawals");
        assertGe(handler.ghost_settledWhilePending(), 1, "settled while an invalidation was pending");
        assertGe(handler.ghost_refusedInvalidated(), 1, "refused once an invalidation was in effect");
        assertGe(handler.ghost_invalidationsCompleted(), 1, "invalidations completed");
        invariant_holdsDepositsPlusCredits();
        invariant_sumsMatchTotals();
        invariant_conservation();
        invariant_actionsAsPredicted();
    }
}
