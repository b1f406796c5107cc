// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @notice Gas baseline: a plain OpenZeppelin ERC-721 with a sequential mint (what `npm run bench:gas` compares
/// AgentNFT's mint against).
contract BaselineERC721 is ERC721 {
    uint256 private _next;

    constructor() ERC721("Baseline", "BASE") {}

    function mint(address to) external returns (uint256 tokenId) {
        tokenId = ++_next;
        _mint(to, tokenId);
    }
}

/// @notice Gas baseline: a plain OpenZeppelin ERC-20 (transfer cost).
contract BaselineERC20 is ERC20 {
    constructor(address holder, uint256 supply) ERC20("Baseline", "BASE") {
        _mint(holder, supply);
    }
}
