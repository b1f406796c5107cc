// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "../utils/SoukFixture.sol";
import {RevertingReceiver} from "../utils/mocks/Receivers.sol";
import {LineageRoyalties} from "../../src/LineageRoyalties.sol";
import {RoyaltySplit} from "../../src/RoyaltySplit.sol";
import {LineageHandler} from "./handlers/LineageHandler.sol";

/// @title LineageInvariantTest
/// @notice Stateful fuzzing of lineage royalty splits (docs/contracts.md): whatever is paid in and distributed, in
/// whatever order, no wei is created or lost — what was paid in equals what the payees hold plus what was withdrawn
/// from credits plus what the splits still hold — a split always holds at least the credits it owes, and no lineage
/// recipient ever received more than its basis points of what was paid into its split.
contract LineageInvariantTest is SoukFixture {
    LineageHandler internal handler;
    LineageRoyalties internal lineage;
    RoyaltySplit[] internal splits;
    address[] internal payees;
    /// @dev The reverting recipient: its native shares are credited, never pushed.
    RevertingReceiver internal bad;

    function setUp() public override {
        super.setUp();
        lineage = new LineageRoyalties(nft);
        bad = new RevertingReceiver();
        address parent = makeAddr("parent");
        address data1 = makeAddr("data1");
        address data2 = makeAddr("data2");
        address trainerA = makeAddr("trainerA");
        address trainerB = makeAddr("trainerB");
        // Split 0: parent 10 %, data1 25 %. Split 1: bad 5 %, data1 30 %, data2 15 % (the cap, 50 %).
        address[] memory a0 = new address[](2);
        (a0[0], a0[1]) = (parent, data1);
        uint16[] memory b0 = new uint16[](2);
        (b0[0], b0[1]) = (1_000, 2_500);
        address[] memory a1 = new address[](3);
        (a1[0], a1[1], a1[2]) = (address(bad), data1, data2);
        uint16[] memory b1 = new uint16[](3);
        (b1[0], b1[1], b1[2]) = (500, 3_000, 1_500);
        vm.prank(trainerA);
        (, address s0) = lineage.mintDerived(trainerA, "ipfs://a", 0, a0, b0);
        vm.prank(trainerB);
        (, address s1) = lineage.mintDerived(trainerB, "ipfs://b", 0, a1, b1);
        splits.push(RoyaltySplit(payable(s0)));
        splits.push(RoyaltySplit(payable(s1)));
        address[6] memory all = [parent, data1, data2, trainerA, trainerB, address(bad)];
        for (uint256 i; i < all.length; ++i) {
            payees.push(all[i]);
        }
        handler = new LineageHandler(splits, usd, payees);
        targetContract(address(handler));
    }

    function _held(address currency, address account) internal view returns (uint256) {
        return currency == address(0) ? account.balance : usd.balanceOf(account);
    }

    /// @notice 1. Conservation, per currency: paid in = payees' holdings + credits withdrawn + held by the splits.
    function invariant_everyWeiIsAccountedFor() public view {
        for (uint256 c; c < 2; ++c) {
            address currency = c == 0 ? address(0) : address(usd);
            uint256 total = handler.ghost_creditsWithdrawn(c);
            for (uint256 i; i < payees.length; ++i) total += _held(currency, payees[i]);
            for (uint256 i; i < splits.length; ++i) total += _held(currency, address(splits[i]));
            assertEq(total, handler.ghost_paidIn(c), c == 0 ? "native created or lost" : "mUSD created or lost");
        }
    }

    /// @notice 2. A split holds at least what it owes in credits (so a credit can always be withdrawn).
    function invariant_splitsHoldTheirCredits() public view {
        for (uint256 i; i < splits.length; ++i) {
            assertGe(address(splits[i]).balance, splits[i].totalCredits(address(0)), "native credits uncovered");
            assertGe(usd.balanceOf(address(splits[i])), splits[i].totalCredits(address(usd)), "mUSD credits uncovered");
        }
    }

    /// @notice 3. No lineage recipient holds more than its share of what its splits distributed (rounding only
    /// ever favours the creator). data1 is in both splits: 25 % of split 0's and 30 % of split 1's money at most.
    function invariant_noRecipientIsOverpaid() public view {
        uint256 paidIn = handler.ghost_paidIn(1); // mUSD: no recipient refuses it, so holdings are shares
        assertLe(usd.balanceOf(payees[0]), paidIn * 1_000 / 10_000, "parent above 10 %");
        assertLe(usd.balanceOf(payees[1]), paidIn * 3_000 / 10_000, "data1 above its larger share");
        assertLe(usd.balanceOf(payees[2]), paidIn * 1_500 / 10_000, "data2 above 15 %");
    }
}
