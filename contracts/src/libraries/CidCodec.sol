// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CidCodec
/// @notice Packs the URIs Souk writes for manifests, `ipfs://<CIDv1 base32, raw codec, sha2-256>` (they read
/// `ipfs://bafkrei…`, 66 characters), into their 32-byte SHA-256 digest and back.
/// @dev Format, from the multiformats specs: multibase prefix `b` (base32 lower, RFC 4648 alphabet, no padding)
/// over the binary CID `0x01` (CIDv1) `0x55` (raw) `0x12` (sha2-256) `0x20` (32-byte length) ‖ digest: 36 bytes,
/// 58 base32 characters. Only the canonical spelling (lower case, zero pad bits) packs, so `toURI(tryPack(u))`
/// gives `u` back exactly.
library CidCodec {
    bytes private constant _PREFIX = "ipfs://b";
    bytes private constant _ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    uint256 private constant _URI_LENGTH = 66; // "ipfs://b" (8) + 58 base32 characters
    uint32 private constant _CID_HEADER = 0x01551220; // CIDv1, raw, sha2-256, 32 bytes

    /// @notice Returns the SHA-256 digest in `uri` when it is a canonical raw-codec CIDv1 URI.
    /// @param uri Any string.
    /// @return ok Whether `uri` packs.
    /// @return digest The 32-byte SHA-256 digest (zero when `ok` is false).
    function tryPack(string calldata uri) internal pure returns (bool ok, bytes32 digest) {
        bytes calldata s = bytes(uri);
        // forge-lint: disable-next-line(unsafe-typecast) -- a slice of exactly 8 bytes
        if (s.length != _URI_LENGTH || bytes8(s[:8]) != bytes8(_PREFIX)) return (false, 0);
        // 58 characters x 5 bits = 290 bits: 32 bits of header, 256 of digest, 2 pad bits that must be zero.
        // Characters 8..14 carry the header's 32 bits plus 3 digest bits; decode all 58 into a 290-bit number split
        // across `high` (first 34 bits) and `low` (last 256 bits).
        uint256 high;
        uint256 low;
        uint256 offset;
        assembly ("memory-safe") {
            offset := s.offset
        }
        // Cannot overflow: i < 66, values < 32; shifts move bits out of `low` on purpose.
        unchecked {
            for (uint256 i = 8; i < _URI_LENGTH; ++i) {
                uint256 c;
                assembly ("memory-safe") {
                    c := byte(0, calldataload(add(offset, i)))
                }
                uint256 v;
                if (c >= 0x61 && c <= 0x7a) v = c - 0x61; // a-z → 0..25
                else if (c >= 0x32 && c <= 0x37) v = c - 0x18; // 2-7 → 26..31
                else return (false, 0);
                high = (high << 5) | (low >> 251);
                low = (low << 5) | v;
            }
        }
        // 290 bits = high (34 bits) ‖ low (256 bits): header = top 32 bits, digest = next 256, pad = last 2.
        if (low & 3 != 0 || high >> 2 != _CID_HEADER) return (false, 0);
        digest = bytes32((low >> 2) | ((high & 3) << 254));
        return (true, digest);
    }

    /// @notice Rebuilds the canonical URI `ipfs://bafkrei…` of a raw-codec CIDv1 from its SHA-256 digest.
    /// @param digest SHA-256 of the block's bytes.
    /// @return The 66-character URI.
    function toURI(bytes32 digest) internal pure returns (string memory) {
        bytes memory out = new bytes(_URI_LENGTH);
        for (uint256 i; i < 8; ++i) {
            out[i] = _PREFIX[i];
        }
        bytes memory alphabet = _ALPHABET;
        uint256 acc;
        uint256 bits;
        uint256 o = 8;
        for (uint256 i; i < 36; ++i) {
            uint256 b = i < 4 ? (_CID_HEADER >> (8 * (3 - i))) & 0xff : uint8(digest[i - 4]);
            acc = (acc << 8) | b;
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[o++] = alphabet[(acc >> bits) & 31];
            }
            // forge-lint: disable-next-line(incorrect-shift) -- a mask of the low `bits` bits
            acc &= (1 << bits) - 1;
        }
        if (bits > 0) out[o] = alphabet[(acc << (5 - bits)) & 31];
        return string(out);
    }
}
