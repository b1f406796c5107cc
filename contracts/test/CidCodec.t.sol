// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";

/// @notice CidCodec through AgentNFT (the library is internal): canonical raw-codec CIDv1 URIs built here by an
/// independent, bit-by-bit base32 encoder must come back from `tokenURI` unchanged and take the one-slot path.
contract CidCodecTest is SoukFixture {
    string internal constant FIXTURE_CID = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    bytes32 internal constant FIXTURE_DIGEST = 0xc7d01489080858c500065836c658f847a6ca67c4864619212be4f8200e4bbace;

    /// @dev RFC 4648 base32 (lower case, no padding) of 0x01551220 ‖ digest, one bit at a time, prefixed
    /// "ipfs://b". Deliberately unlike CidCodec's accumulator loop.
    function encode(bytes32 digest) internal pure returns (string memory) {
        bytes memory data = abi.encodePacked(bytes4(0x01551220), digest); // 36 bytes = 288 bits
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        uint256 nChars = (data.length * 8 + 4) / 5; // 58
        bytes memory out = new bytes(nChars);
        for (uint256 c; c < nChars; ++c) {
            uint256 v;
            for (uint256 j; j < 5; ++j) {
                uint256 bitPos = c * 5 + j;
                uint256 bit = bitPos < data.length * 8 ? (uint8(data[bitPos / 8]) >> (7 - (bitPos % 8))) & 1 : 0;
                v = (v << 1) | bit;
            }
            out[c] = alphabet[v];
        }
        return string.concat("ipfs://b", string(out));
    }

    function mintGas(string memory uri) internal returns (uint256 id, uint256 gasUsed) {
        vm.prank(creator);
        uint256 before = gasleft();
        id = nft.mintAgent(creator, uri);
        gasUsed = before - gasleft();
    }

    function test_encode_matchesKnownVectors() public pure {
        // The encoder itself against vectors computed off-chain (Python base64.b32encode).
        vm.assertEq(encode(FIXTURE_DIGEST), FIXTURE_CID, "fixture CID");
        vm.assertEq(
            encode(sha256("hello world")),
            "ipfs://bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
            "raw CID of 'hello world'"
        );
        vm.assertEq(bytes(encode(bytes32(0))).length, 66, "length");
    }

    function test_tokenURI_returnsFixtureCid() public {
        uint256 id = mintModel(creator, 0);
        assertEq(nft.tokenURI(id), FIXTURE_CID, "fixture CID round-trips");
    }

    /// @dev `uri` with a pad bit of its last character set: same length, lower case and header, so it runs the
    /// whole decode loop, but it is not canonical and must be stored verbatim (4 fresh slots instead of 1).
    function withPadBit(string memory uri) internal pure returns (string memory) {
        bytes memory b = bytes(string.concat(uri, ""));
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        uint256 last = b[65] >= "a" ? uint8(b[65]) - 0x61 : uint8(b[65]) - 0x18;
        b[65] = alphabet[last | 1];
        return string(b);
    }

    function test_mint_packsCanonicalCidIntoOneSlot() public {
        mintGas(FIXTURE_CID); // warm-up: totalMinted and balance go from zero here
        (uint256 packedId, uint256 packedGas) = mintGas(FIXTURE_CID);
        string memory nonCanonical = withPadBit(FIXTURE_CID);
        (uint256 verbatimId, uint256 verbatimGas) = mintGas(nonCanonical);
        // Three more fresh slots (3 x 22,100 gas) when stored verbatim.
        assertGe(verbatimGas, packedGas + 50_000, "canonical CID takes the packed path");
        assertEq(nft.tokenURI(packedId), FIXTURE_CID, "packed");
        assertEq(nft.tokenURI(verbatimId), nonCanonical, "verbatim");
    }

    function test_fuzz_tokenURI_roundTripsCanonicalCid(bytes32 digest) public {
        string memory uri = encode(digest);
        vm.prank(creator);
        uint256 id = nft.mintAgent(creator, uri);
        assertEq(nft.tokenURI(id), uri, "tokenURI");
        vm.prank(creator);
        nft.publishVersion(id, encode(~digest));
        assertEq(nft.versionURI(id, 0), uri, "version 0");
        assertEq(nft.tokenURI(id), encode(~digest), "version 1");
    }

    function test_fuzz_mint_packsCanonicalCid(bytes32 digest) public {
        vm.assume(digest != 0); // the zero digest is stored verbatim (0 marks "not packed")
        mintGas(FIXTURE_CID);
        (uint256 packedId, uint256 packedGas) = mintGas(encode(digest));
        string memory nonCanonical = withPadBit(encode(digest));
        (uint256 verbatimId, uint256 verbatimGas) = mintGas(nonCanonical);
        assertGe(verbatimGas, packedGas + 50_000, "packed path");
        assertEq(nft.tokenURI(packedId), encode(digest), "packed round-trip");
        assertEq(nft.tokenURI(verbatimId), nonCanonical, "verbatim round-trip");
    }

    function test_fuzz_tokenURI_returnsCidWithPadBitsVerbatim(bytes32 digest, uint8 pad) public {
        // Set the 2 pad bits of the last character: not canonical, so it must not be normalised.
        pad = uint8(bound(pad, 1, 3));
        bytes memory uri = bytes(encode(digest));
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        uint256 last = uri[65] >= "a" ? uint8(uri[65]) - 0x61 : uint8(uri[65]) - 0x18;
        assertEq(last & 3, 0, "canonical pad bits are zero");
        uri[65] = alphabet[last | pad];
        vm.prank(creator);
        uint256 id = nft.mintAgent(creator, string(uri));
        assertEq(nft.tokenURI(id), string(uri), "non-canonical round-trip");
    }
}
