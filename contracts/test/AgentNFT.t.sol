// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {SoukFixture} from "./utils/SoukFixture.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";

/// @dev Shared constants and helpers of the AgentNFT suites.
abstract contract AgentNFTTestBase is SoukFixture {
    /// @dev Canonical raw-codec CIDv1 URI (packs into one slot).
    string internal constant CID = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    string internal constant CID2 = "ipfs://bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
    string internal constant HTTPS = "https://example.com/manifests/agent.json";
    string internal constant CIDV0 = "ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

    address internal carol = makeAddr("carol");

    function mintAs(address minter, address to, uint16 royaltyBps) internal returns (uint256 tokenId) {
        vm.prank(minter);
        tokenId = nft.mint(to, CID, IAgentNFT.AssetKind.Model, royaltyBps);
    }
}

contract AgentNFTMintTest is AgentNFTTestBase {
    function test_mintAgent_setsCallerAsCreatorAndAgentKindWithoutRoyalty() public {
        vm.prank(creator);
        uint256 id = nft.mintAgent(alice, CID);
        assertEq(id, 1, "first id");
        assertEq(nft.ownerOf(id), alice, "owner");
        assertEq(nft.creatorOf(id), creator, "creator");
        assertTrue(nft.kindOf(id) == IAgentNFT.AssetKind.Agent, "kind");
        assertEq(nft.royaltyBpsOf(id), 0, "royalty bps");
        (address receiver, uint256 amount) = nft.royaltyInfo(id, 1 ether);
        assertEq(receiver, creator, "receiver");
        assertEq(amount, 0, "royalty");
        assertEq(nft.versionCount(id), 1, "versions");
        assertEq(nft.tokenURI(id), CID, "uri");
    }

    function test_mint_assignsSequentialIdsFromOne() public {
        assertEq(nft.totalMinted(), 0, "none yet");
        for (uint256 i = 1; i <= 5; ++i) {
            vm.prank(i % 2 == 0 ? alice : creator);
            uint256 id = nft.mint(bob, CID, IAgentNFT.AssetKind.Dataset, uint16(i * 100));
            assertEq(id, i, "id");
            assertEq(nft.totalMinted(), i, "totalMinted");
        }
        assertEq(nft.balanceOf(bob), 5, "balance");
        assertEq(nft.creatorOf(2), alice, "creator of 2");
        assertEq(nft.creatorOf(3), creator, "creator of 3");
    }

    function test_mint_storesKindRoyaltyAndCreator() public {
        vm.startPrank(creator);
        uint256 model = nft.mint(alice, CID, IAgentNFT.AssetKind.Model, 0);
        uint256 agent = nft.mint(alice, CID, IAgentNFT.AssetKind.Agent, 1);
        uint256 data = nft.mint(bob, CID, IAgentNFT.AssetKind.Dataset, 1_000);
        vm.stopPrank();
        assertTrue(nft.kindOf(model) == IAgentNFT.AssetKind.Model, "model");
        assertTrue(nft.kindOf(agent) == IAgentNFT.AssetKind.Agent, "agent");
        assertTrue(nft.kindOf(data) == IAgentNFT.AssetKind.Dataset, "dataset");
        assertEq(nft.royaltyBpsOf(model), 0, "bps 0");
        assertEq(nft.royaltyBpsOf(agent), 1, "bps 1");
        assertEq(nft.royaltyBpsOf(data), 1_000, "bps max");
        assertEq(nft.ownerOf(data), bob, "owner");
        assertEq(nft.creatorOf(data), creator, "creator is minter, not receiver");
    }

    function test_mint_emitsTransferThenAssetMinted() public {
        vm.expectEmit(address(nft));
        emit IERC721.Transfer(address(0), alice, 1);
        vm.expectEmit(address(nft));
        emit IAgentNFT.AssetMinted(1, creator, alice, IAgentNFT.AssetKind.Dataset, 750, CID);
        vm.prank(creator);
        nft.mint(alice, CID, IAgentNFT.AssetKind.Dataset, 750);
    }

    function test_mintAgent_emitsAssetMintedWithAgentKindAndZeroRoyalty() public {
        vm.expectEmit(address(nft));
        emit IERC721.Transfer(address(0), bob, 1);
        vm.expectEmit(address(nft));
        emit IAgentNFT.AssetMinted(1, alice, bob, IAgentNFT.AssetKind.Agent, 0, HTTPS);
        vm.prank(alice);
        nft.mintAgent(bob, HTTPS);
    }

    function test_mint_acceptsRoyaltyAtCap() public {
        uint256 id = mintAs(creator, creator, nft.MAX_ROYALTY_BPS());
        assertEq(nft.royaltyBpsOf(id), 1_000, "cap accepted");
    }

    function test_mint_revertsIfRoyaltyAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukRoyaltyTooHigh.selector, 1_001, 1_000));
        vm.prank(creator);
        nft.mint(creator, CID, IAgentNFT.AssetKind.Model, 1_001);
        assertEq(nft.totalMinted(), 0, "nothing minted");
    }

    function test_fuzz_mint_revertsIfRoyaltyAboveCap(uint16 bps) public {
        bps = uint16(bound(bps, 1_001, type(uint16).max));
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukRoyaltyTooHigh.selector, bps, 1_000));
        vm.prank(creator);
        nft.mint(creator, CID, IAgentNFT.AssetKind.Model, bps);
    }

    function test_mint_revertsIfURIEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukEmptyURI.selector));
        vm.prank(creator);
        nft.mint(creator, "", IAgentNFT.AssetKind.Model, 0);
    }

    function test_mintAgent_revertsIfURIEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukEmptyURI.selector));
        vm.prank(creator);
        nft.mintAgent(creator, "");
    }

    function test_mint_revertsIfReceiverIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0)));
        vm.prank(creator);
        nft.mint(address(0), CID, IAgentNFT.AssetKind.Model, 0);
        assertEq(nft.totalMinted(), 0, "counter rolled back");
    }
}

contract AgentNFTVersionTest is AgentNFTTestBase {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = mintAs(creator, alice, 500);
    }

    function test_publishVersion_appendsAndTokenURIReturnsLatest() public {
        vm.prank(alice);
        uint256 v1 = nft.publishVersion(id, HTTPS);
        vm.prank(alice);
        uint256 v2 = nft.publishVersion(id, CID2);
        assertEq(v1, 1, "v1");
        assertEq(v2, 2, "v2");
        assertEq(nft.versionCount(id), 3, "count");
        assertEq(nft.versionURI(id, 0), CID, "version 0 kept");
        assertEq(nft.versionURI(id, 1), HTTPS, "version 1");
        assertEq(nft.versionURI(id, 2), CID2, "version 2");
        assertEq(nft.tokenURI(id), CID2, "latest");
    }

    function test_publishVersion_emitsVersionPublishedAndMetadataUpdate() public {
        vm.expectEmit(address(nft));
        emit IAgentNFT.VersionPublished(id, 1, CIDV0);
        vm.expectEmit(address(nft));
        emit IERC4906.MetadataUpdate(id);
        vm.prank(alice);
        nft.publishVersion(id, CIDV0);
    }

    function test_publishVersion_revertsIfCallerIsCreatorButNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukNotAssetOwner.selector, creator, id));
        vm.prank(creator);
        nft.publishVersion(id, CID2);
        assertEq(nft.versionCount(id), 1, "unchanged");
    }

    function test_publishVersion_revertsIfCallerIsApprovedOperatorNotOwner() public {
        vm.prank(alice);
        nft.setApprovalForAll(bob, true);
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukNotAssetOwner.selector, bob, id));
        vm.prank(bob);
        nft.publishVersion(id, CID2);
    }

    function test_publishVersion_allowsNewOwnerAfterTransfer() public {
        vm.prank(alice);
        nft.transferFrom(alice, bob, id);
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukNotAssetOwner.selector, alice, id));
        vm.prank(alice);
        nft.publishVersion(id, CID2);
        vm.prank(bob);
        assertEq(nft.publishVersion(id, CID2), 1, "new owner publishes");
        assertEq(nft.tokenURI(id), CID2, "latest");
    }

    function test_publishVersion_revertsIfURIEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukEmptyURI.selector));
        vm.prank(alice);
        nft.publishVersion(id, "");
    }

    function test_publishVersion_revertsIfTokenDoesNotExist() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        vm.prank(alice);
        nft.publishVersion(99, CID2);
    }

    function test_versionURI_revertsIfVersionOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukVersionOutOfRange.selector, id, 1, 1));
        nft.versionURI(id, 1);
        vm.prank(alice);
        nft.publishVersion(id, HTTPS);
        assertEq(nft.versionURI(id, 1), HTTPS, "now in range");
        vm.expectRevert(abi.encodeWithSelector(IAgentNFT.SoukVersionOutOfRange.selector, id, 7, 2));
        nft.versionURI(id, 7);
    }
}

contract AgentNFTURITest is AgentNFTTestBase {
    function _roundTrip(string memory uri) internal returns (uint256 tokenId) {
        vm.prank(creator);
        tokenId = nft.mintAgent(creator, uri);
        assertEq(nft.tokenURI(tokenId), uri, "tokenURI");
        assertEq(nft.versionURI(tokenId, 0), uri, "versionURI");
        vm.prank(creator);
        nft.publishVersion(tokenId, uri);
        assertEq(nft.versionURI(tokenId, 1), uri, "published version");
    }

    function test_tokenURI_returnsCanonicalCidUnchanged() public {
        _roundTrip(CID);
        _roundTrip(CID2);
    }

    function test_tokenURI_returnsHttpsVerbatim() public {
        _roundTrip(HTTPS);
    }

    function test_tokenURI_returnsCidV0Verbatim() public {
        _roundTrip(CIDV0);
    }

    function test_tokenURI_returnsUppercaseCidVerbatim() public {
        // Same CID in upper-case base32 (multibase "B"): must not be normalised to lower case.
        _roundTrip("IPFS://BAFKREIGH2AKISCAILDCQABSYG3DFR6CHU3FGPREGIYMSCK7E7AQA4S52ZY");
        _roundTrip("ipfs://bAFKREIGH2AKISCAILDCQABSYG3DFR6CHU3FGPREGIYMSCK7E7AQA4S52ZY");
        _roundTrip("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zY");
    }

    function test_tokenURI_returnsWrongLengthCidVerbatim() public {
        _roundTrip("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52z"); // 65
        _roundTrip("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zya"); // 67
        _roundTrip("ipfs://b");
    }

    function test_tokenURI_returnsNonCanonicalPadBitsVerbatim() public {
        // Last character 'y' (24 = 0b11000) carries 3 digest bits and 2 zero pad bits; 'z' (25) sets a pad bit.
        // A decoder that ignored pad bits would hand back the canonical '...52zy' instead.
        _roundTrip("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zz");
    }

    function test_tokenURI_returnsOtherCodecsVerbatim() public {
        // dag-pb CIDv1 (bafybei…) and a header-damaged raw CID: 66 characters but not raw/sha2-256.
        _roundTrip("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi");
        _roundTrip("ipfs://bafkqeigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        _roundTrip("ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s5!zy");
        _roundTrip("ipfx://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    }

    function test_tokenURI_returnsZeroDigestCidVerbatim() public {
        // The digest-zero CID packs to 0, the "not packed" marker: it must still round-trip (stored verbatim).
        bytes memory uri = bytes.concat("ipfs://bafkrei", new bytes(52));
        for (uint256 i = 14; i < 66; ++i) {
            uri[i] = "a";
        }
        _roundTrip(string(uri));
    }

    function test_tokenURI_revertsIfTokenDoesNotExist() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 0));
        nft.tokenURI(0);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        nft.tokenURI(1);
    }

    function test_fuzz_tokenURI_roundTripsAnyString(string memory uri) public {
        vm.assume(bytes(uri).length != 0);
        _roundTrip(uri);
    }

    function test_fuzz_tokenURI_roundTripsAnyBytes(bytes memory raw) public {
        vm.assume(raw.length != 0);
        _roundTrip(string(raw));
    }

    function test_fuzz_tokenURI_roundTripsNearCanonicalCids(bytes32 seed1, bytes32 seed2) public {
        // "ipfs://bafkrei" + 52 random base32 characters: some are canonical (pack), the rest are near misses
        // (header or pad bits wrong) and must be stored verbatim. Either way the string comes back unchanged.
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        bytes memory uri = bytes.concat("ipfs://bafkrei", new bytes(52));
        for (uint256 i; i < 52; ++i) {
            uint256 r = uint256(i < 26 ? seed1 : seed2) >> (5 * (i % 26));
            uri[14 + i] = alphabet[r & 31];
        }
        _roundTrip(string(uri));
    }
}

contract AgentNFTOwnershipTest is AgentNFTTestBase {
    function test_creatorOf_survivesTransfers() public {
        uint256 id = mintAs(creator, alice, 300);
        vm.prank(alice);
        nft.transferFrom(alice, bob, id);
        vm.prank(bob);
        nft.safeTransferFrom(bob, carol, id);
        assertEq(nft.ownerOf(id), carol, "owner");
        assertEq(nft.creatorOf(id), creator, "creator");
        (address receiver, uint256 amount) = nft.royaltyInfo(id, 10_000);
        assertEq(receiver, creator, "royalty receiver");
        assertEq(amount, 300, "royalty");
    }

    function test_transferCount_incrementsOnTransferNotMint() public {
        uint256 id = mintAs(creator, alice, 0);
        assertEq(nft.transferCount(id), 0, "after mint");
        vm.prank(alice);
        nft.transferFrom(alice, bob, id);
        assertEq(nft.transferCount(id), 1, "after 1");
        vm.prank(bob);
        nft.transferFrom(bob, alice, id);
        assertEq(nft.transferCount(id), 2, "after transfer back");
        vm.prank(alice);
        nft.transferFrom(alice, alice, id);
        assertEq(nft.transferCount(id), 3, "self-transfer counts");
        uint256 other = mintAs(creator, alice, 0);
        assertEq(nft.transferCount(other), 0, "other token untouched");
    }

    function test_creatorOf_revertsIfTokenDoesNotExist() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 5));
        nft.creatorOf(5);
    }

    function test_views_revertIfTokenDoesNotExist() public {
        mintAs(creator, alice, 0);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        nft.kindOf(2);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        nft.royaltyBpsOf(2);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        nft.versionCount(2);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        nft.versionURI(2, 0);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        nft.royaltyInfo(2, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        nft.ownerOf(2);
    }
}

contract AgentNFTRoyaltyTest is AgentNFTTestBase {
    function test_royaltyInfo_computesBpsOfPriceRoundedDown() public {
        uint256 id = mintAs(creator, alice, 250);
        (address receiver, uint256 amount) = nft.royaltyInfo(id, 1 ether);
        assertEq(receiver, creator, "receiver");
        assertEq(amount, 0.025 ether, "2.5%");
        (, amount) = nft.royaltyInfo(id, 39);
        assertEq(amount, 0, "39 * 250 / 10000 rounds down to 0");
        (, amount) = nft.royaltyInfo(id, 41);
        assertEq(amount, 1, "41 * 250 / 10000 = 1.025 -> 1");
        (, amount) = nft.royaltyInfo(id, 0);
        assertEq(amount, 0, "zero price");
    }

    function test_fuzz_royaltyInfo_matchesFormula(uint256 price, uint16 bps) public {
        bps = uint16(bound(bps, 0, 1_000));
        // Above this the multiplication would overflow for bps = 1000 (see report).
        price = bound(price, 0, type(uint256).max / 1_000);
        uint256 id = mintAs(creator, alice, bps);
        (address receiver, uint256 amount) = nft.royaltyInfo(id, price);
        assertEq(receiver, creator, "receiver");
        assertEq(amount, price * bps / 10_000, "amount");
        assertLe(amount, price / 10, "never above 10 %");
    }
}

contract AgentNFTInterfaceTest is AgentNFTTestBase {
    function test_supportsInterface_returnsTrueIfSupported() public view {
        assertTrue(nft.supportsInterface(0x01ffc9a7), "ERC-165");
        assertTrue(nft.supportsInterface(0x80ac58cd), "ERC-721");
        assertTrue(nft.supportsInterface(0x5b5e139f), "ERC-721 metadata");
        assertTrue(nft.supportsInterface(0x2a55205a), "ERC-2981");
        assertTrue(nft.supportsInterface(0x49064906), "ERC-4906");
    }

    function test_supportsInterface_returnsFalseIfUnsupported() public view {
        assertFalse(nft.supportsInterface(0xffffffff), "0xffffffff");
        assertFalse(nft.supportsInterface(0x780e9d63), "ERC-721 enumerable");
        assertFalse(nft.supportsInterface(0xd9b67a26), "ERC-1155");
    }

    function test_metadata_returnsNameAndSymbol() public view {
        assertEq(nft.name(), "Souk Asset", "name");
        assertEq(nft.symbol(), "SOUKA", "symbol");
    }
}
