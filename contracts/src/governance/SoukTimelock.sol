// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title SoukTimelock
/// @notice OpenZeppelin's TimelockController, unchanged: it holds `DEFAULT_ADMIN_ROLE` on Souk's contracts and
/// receives the treasury's protocol fees. Proposer and canceller: SoukGovernor; executor: anyone (`address(0)`).
contract SoukTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and execution.
    /// @param proposers Accounts that may queue (SoukGovernor).
    /// @param executors Accounts that may execute (`[address(0)]` for anyone).
    /// @param admin Optional bootstrap admin (zero to have none).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
