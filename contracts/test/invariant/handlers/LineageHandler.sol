// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "../../utils/Test.sol";
import {MockERC20} from "../../utils/mocks/MockERC20.sol";
import {RoyaltySplit} from "../../../src/RoyaltySplit.sol";

/// @notice The target of the lineage money invariant: pays random amounts into a few RoyaltySplits (native and
/// mUSD), distributes them, and lets credited recipients withdraw; tracks every wei paid in and out.
contract LineageHandler is Test {
    RoyaltySplit[] public splits;
    MockERC20 public usd;
    /// @notice Every account a split pays (recipients and creators), for the conservation sum.
    address[] public payees;

    /// @notice Paid into the splits, by currency index (0 native, 1 mUSD).
    uint256[2] public ghost_paidIn;
    /// @notice Withdrawn from split credits by recipients whose push had failed, by currency index.
    uint256[2] public ghost_creditsWithdrawn;
    /// @notice Calls that went through.
    uint256 public calls;

    constructor(RoyaltySplit[] memory splits_, MockERC20 usd_, address[] memory payees_) {
        for (uint256 i; i < splits_.length; ++i) splits.push(splits_[i]);
        usd = usd_;
        for (uint256 i; i < payees_.length; ++i) payees.push(payees_[i]);
    }

    function splitCount() external view returns (uint256) {
        return splits.length;
    }

    function payeeCount() external view returns (uint256) {
        return payees.length;
    }

    function pay(uint256 splitSeed, uint256 amount, bool native) external {
        RoyaltySplit split = splits[splitSeed % splits.length];
        amount = bound(amount, 0, 1_000 ether);
        if (native) {
            vm.deal(address(this), amount);
            (bool ok,) = address(split).call{value: amount}("");
            require(ok, "split refused a payment");
            ghost_paidIn[0] += amount;
        } else {
            usd.mint(address(split), amount);
            ghost_paidIn[1] += amount;
        }
        ++calls;
    }

    function distribute(uint256 splitSeed, bool native) external {
        splits[splitSeed % splits.length].distribute(native ? address(0) : address(usd));
        ++calls;
    }

    /// @dev A credited recipient (one whose native push reverts) withdraws to a plain address.
    function withdrawCredits(uint256 splitSeed, uint256 payeeSeed, bool native) external {
        RoyaltySplit split = splits[splitSeed % splits.length];
        address payee = payees[payeeSeed % payees.length];
        address currency = native ? address(0) : address(usd);
        uint256 credit = split.creditsOf(currency, payee);
        if (credit == 0) return;
        vm.prank(payee);
        split.withdrawCredits(currency, address(0xBEEF));
        ghost_creditsWithdrawn[native ? 0 : 1] += credit;
        ++calls;
    }
}
