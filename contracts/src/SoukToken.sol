// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title SoukToken (SOUK)
/// @notice Souk's ERC-20: providers stake it in the ProviderRegistry and holders vote with it in SoukGovernor.
/// @dev ERC-20 + ERC-2612 permit (EIP-2612, gasless approvals) + ERC20Votes (checkpointed voting power, EIP-5805,
/// block-number clock). The whole fixed supply is minted once, to the treasury; there is no mint function.
/// Voting power counts only after a holder delegates (to itself or another).
contract SoukToken is ERC20, ERC20Permit, ERC20Votes {
    /// @param treasury Receives the whole supply.
    /// @param supply Total supply in wei (18 decimals).
    constructor(address treasury, uint256 supply) ERC20("Souk", "SOUK") ERC20Permit("Souk") {
        _mint(treasury, supply);
    }

    /// @dev ERC20Votes hooks into every balance change to move voting checkpoints.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @notice Next permit / delegation-by-signature nonce of `owner` (EIP-2612).
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
