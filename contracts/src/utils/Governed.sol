// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title Governed
/// @notice Roles and the emergency brake shared by Souk's contracts.
/// @dev `DEFAULT_ADMIN_ROLE` belongs to governance (the TimelockController behind SoukGovernor): it sets parameters,
/// grants roles and unpauses. `PAUSER_ROLE` belongs to a guardian (a multisig) who can only pause: a fast brake
/// that cannot move funds or change terms. Inheriting contracts mark with `whenNotPaused` only the entry points
/// that take new money or new commitments; refunds, withdrawals and unbonding are never paused.
abstract contract Governed is AccessControl, Pausable {
    /// @notice Role allowed to pause (the guardian).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (governance's timelock, or the deployer until it hands over).
    /// @param guardian Receives `PAUSER_ROLE`; zero for none.
    constructor(address admin, address guardian) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(PAUSER_ROLE, guardian);
    }

    /// @notice Stops the entry points that take new money (the guardian). Emits `Paused`.
    /// @dev Reverts `AccessControlUnauthorizedAccount` without `PAUSER_ROLE`, `EnforcedPause` when paused.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes (governance only: a guardian who paused cannot flip-flop). Emits `Unpaused`.
    /// @dev Reverts `AccessControlUnauthorizedAccount` without `DEFAULT_ADMIN_ROLE`, `ExpectedPause` when running.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }
}
