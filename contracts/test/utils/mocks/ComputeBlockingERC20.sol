// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A mintable ERC-20 with a blocklist (like USDC's): transfers to or from a blocked account revert. Used to
/// check that a blocklisted provider cannot stop a ComputeMarket settlement.
contract ComputeBlockingERC20 is ERC20 {
    mapping(address account => bool) public blocked;

    constructor() ERC20("Blocking USD", "bUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(!blocked[from] && !blocked[to], "blocked");
        super._update(from, to, value);
    }
}
