// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {CidCodec} from "./libraries/CidCodec.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title AgentNFT
/// @notice Souk assets — models, agents, datasets — as ERC-721 tokens (EIP-721) with an ERC-2981 royalty (EIP-2981)
/// set once at mint and capped at 10 %, append-only versions announced with ERC-4906 `MetadataUpdate` (EIP-4906),
/// and a creator who keeps royalties and job creator fees after the token is sold.
/// @dev Storage choice — manifest URIs as bytes32 digests where possible (Olas stores hashes the same way):
/// a manifest URI `ipfs://bafkrei…` is 66 bytes, which a Solidity string stores in 4 slots (~88k gas of fresh
/// SSTOREs). Souk's node writes manifests as raw-codec CIDv1 blocks, whose URI is fully determined by the SHA-256
/// digest, so {CidCodec} packs it into one slot and `tokenURI` rebuilds the identical string: callers still pass and
/// read ordinary strings, nothing is lost in usability. Any other URI (CIDv0, dag-pb, https) is stored verbatim.
/// Per asset, one more slot packs creator (20 bytes), royalty (2), kind (1), version count (4) and transfer count (4).
/// No ERC721Enumerable: it doubles mint gas; the indexer serves enumeration.
contract AgentNFT is ERC721, IAgentNFT {
    /// @notice Highest royalty a creator may set, in basis points (10 %).
    uint16 public constant MAX_ROYALTY_BPS = 1_000;

    /// @dev Everything per asset that is not the owner or a URI, packed into one slot (31 bytes).
    struct Asset {
        address creator;
        uint16 royaltyBps;
        AssetKind kind;
        uint32 versionCount;
        uint32 transferCount;
    }

    uint256 private _totalMinted;
    mapping(uint256 tokenId => Asset) private _assets;
    /// @dev SHA-256 digest of a packed manifest URI; zero when the URI is stored verbatim in `_uris`.
    mapping(uint256 tokenId => mapping(uint256 version => bytes32 digest)) private _digests;
    mapping(uint256 tokenId => mapping(uint256 version => string uri)) private _uris;

    constructor() ERC721("Souk Asset", "SOUKA") {}

    /// @inheritdoc IAgentNFT
    function mintAgent(address to, string calldata uri) external returns (uint256 tokenId) {
        return _mintAsset(to, uri, AssetKind.Agent, 0);
    }

    /// @inheritdoc IAgentNFT
    function mint(address to, string calldata uri, AssetKind kind, uint16 royaltyBps)
        external
        returns (uint256 tokenId)
    {
        return _mintAsset(to, uri, kind, royaltyBps);
    }

    /// @inheritdoc IAgentNFT
    function publishVersion(uint256 tokenId, string calldata uri) external returns (uint256 version) {
        if (_requireOwned(tokenId) != msg.sender) revert SoukNotAssetOwner(msg.sender, tokenId);
        Asset storage asset = _assets[tokenId];
        version = asset.versionCount;
        _storeURI(tokenId, version, uri);
        asset.versionCount = SafeCast.toUint32(version + 1);
        emit VersionPublished(tokenId, version, uri);
        emit MetadataUpdate(tokenId);
    }

    /// @notice The manifest URI of the latest version (EIP-721 metadata).
    /// @dev Reverts `ERC721NonexistentToken` for a nonexistent token.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return _uriOf(tokenId, _assets[tokenId].versionCount - 1);
    }

    /// @inheritdoc IAgentNFT
    function versionCount(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        return _assets[tokenId].versionCount;
    }

    /// @inheritdoc IAgentNFT
    function versionURI(uint256 tokenId, uint256 version) external view returns (string memory) {
        _requireOwned(tokenId);
        uint256 count = _assets[tokenId].versionCount;
        if (version >= count) revert SoukVersionOutOfRange(tokenId, version, count);
        return _uriOf(tokenId, version);
    }

    /// @inheritdoc IAgentNFT
    function creatorOf(uint256 tokenId) external view returns (address) {
        _requireOwned(tokenId);
        return _assets[tokenId].creator;
    }

    /// @inheritdoc IAgentNFT
    function kindOf(uint256 tokenId) external view returns (AssetKind) {
        _requireOwned(tokenId);
        return _assets[tokenId].kind;
    }

    /// @inheritdoc IAgentNFT
    function royaltyBpsOf(uint256 tokenId) external view returns (uint16) {
        _requireOwned(tokenId);
        return _assets[tokenId].royaltyBps;
    }

    /// @inheritdoc IAgentNFT
    function transferCount(uint256 tokenId) external view returns (uint32) {
        return _assets[tokenId].transferCount;
    }

    /// @inheritdoc IAgentNFT
    function totalMinted() external view returns (uint256) {
        return _totalMinted;
    }

    /// @notice ERC-2981: the creator and `salePrice * royaltyBps / 10_000` (rounded down, full 512-bit precision:
    /// never overflows), in the sale's units.
    /// @dev Reverts `ERC721NonexistentToken` for a nonexistent token.
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        _requireOwned(tokenId);
        Asset storage asset = _assets[tokenId];
        return (asset.creator, Math.mulDiv(salePrice, asset.royaltyBps, 10_000));
    }

    /// @notice ERC-165: ERC-721, ERC-721 metadata, ERC-2981 and ERC-4906 (`0x49064906`).
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || interfaceId == bytes4(0x49064906)
            || super.supportsInterface(interfaceId);
    }

    /// @dev Mints with the caller as creator.
    /// Requirements: `royaltyBps <= MAX_ROYALTY_BPS`, non-empty `uri`, `to` not zero (ERC721InvalidReceiver).
    /// Emits `Transfer`, {AssetMinted}.
    function _mintAsset(address to, string calldata uri, AssetKind kind, uint16 royaltyBps)
        private
        returns (uint256 tokenId)
    {
        if (royaltyBps > MAX_ROYALTY_BPS) revert SoukRoyaltyTooHigh(royaltyBps, MAX_ROYALTY_BPS);
        // Ids start at 1 so that 0 never names an asset.
        tokenId = ++_totalMinted;
        _assets[tokenId] = Asset({
            creator: msg.sender, royaltyBps: royaltyBps, kind: kind, versionCount: 1, transferCount: 0
        });
        _storeURI(tokenId, 0, uri);
        _mint(to, tokenId);
        emit AssetMinted(tokenId, msg.sender, to, kind, royaltyBps, uri);
    }

    /// @dev Stores a version's URI: one slot when it packs, verbatim otherwise. Reverts {SoukEmptyURI}.
    function _storeURI(uint256 tokenId, uint256 version, string calldata uri) private {
        if (bytes(uri).length == 0) revert SoukEmptyURI();
        (bool packed, bytes32 digest) = CidCodec.tryPack(uri);
        if (packed && digest != 0) _digests[tokenId][version] = digest;
        else _uris[tokenId][version] = uri;
    }

    function _uriOf(uint256 tokenId, uint256 version) private view returns (string memory) {
        bytes32 digest = _digests[tokenId][version];
        return digest != 0 ? CidCodec.toURI(digest) : _uris[tokenId][version];
    }

    /// @dev Counts transfers (not mints) so that marketplace listings go stale on any change of hands.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) {
            // Cannot overflow in practice: 2^32 transfers of one token would cost more gas than exists.
            unchecked {
                ++_assets[tokenId].transferCount;
            }
        }
    }
}
