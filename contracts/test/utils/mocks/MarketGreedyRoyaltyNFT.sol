// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @notice Just enough of IAgentNFT for Marketplace (ownerOf, approvals, transferFrom, transferCount, royaltyInfo),
/// with a royalty the test sets freely — above AgentNFT's 10 % cap — to check Marketplace's own cap.
contract MarketGreedyRoyaltyNFT is ERC721 {
    address public royaltyReceiver;
    uint256 public royaltyBps;
    mapping(uint256 => uint32) public transferCount;

    constructor(address receiver, uint256 bps) ERC721("Greedy", "GRDY") {
        royaltyReceiver = receiver;
        royaltyBps = bps;
    }

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function royaltyInfo(uint256, uint256 salePrice) external view returns (address, uint256) {
        return (royaltyReceiver, salePrice * royaltyBps / 10_000);
    }

    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) ++transferCount[tokenId];
    }
}
