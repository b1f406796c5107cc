// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";

contract AgentNFTSmokeTest is SoukFixture {
    function test_mint_roundTripsCanonicalCid() public {
        uint256 id = mintModel(creator, 500);
        assertEq(nft.tokenURI(id), "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "uri");
        (address receiver, uint256 amount) = nft.royaltyInfo(id, 1 ether);
        assertEq(receiver, creator, "receiver");
        assertEq(amount, 0.05 ether, "royalty");
    }
}
