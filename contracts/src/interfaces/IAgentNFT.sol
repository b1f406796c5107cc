// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";

/// @title IAgentNFT
/// @notice Souk assets (models, agents, datasets) as ERC-721 tokens with an ERC-2981 royalty fixed at mint, an
/// append-only list of versions (each a manifest URI) and a creator that survives transfers.
interface IAgentNFT is IERC721, IERC2981, IERC4906 {
    /// @notice What an asset is.
    enum AssetKind {
        Model,
        Agent,
        Dataset
    }

    /// @notice Thrown when a royalty above {MAX_ROYALTY_BPS} is asked for at mint.
    /// @param royaltyBps The royalty asked for, in basis points.
    /// @param maxBps The cap, in basis points.
    error SoukRoyaltyTooHigh(uint256 royaltyBps, uint256 maxBps);

    /// @notice Thrown when a manifest URI is empty.
    error SoukEmptyURI();

    /// @notice Thrown when someone other than the token's owner publishes a version.
    /// @param caller The caller.
    /// @param tokenId The asset.
    error SoukNotAssetOwner(address caller, uint256 tokenId);

    /// @notice Thrown when a version index is past the last version.
    /// @param tokenId The asset.
    /// @param version The index asked for.
    /// @param versionCount How many versions exist.
    error SoukVersionOutOfRange(uint256 tokenId, uint256 version, uint256 versionCount);

    /// @notice Emitted when an asset is minted (alongside ERC-721 `Transfer` from zero).
    /// @param tokenId The new asset id.
    /// @param creator Who minted it: receives royalties and job creator fees for ever.
    /// @param owner First owner.
    /// @param kind Model, agent or dataset.
    /// @param royaltyBps ERC-2981 royalty in basis points.
    /// @param uri Manifest URI of version 0.
    event AssetMinted(
        uint256 indexed tokenId,
        address indexed creator,
        address indexed owner,
        AssetKind kind,
        uint16 royaltyBps,
        string uri
    );

    /// @notice Emitted when the owner appends a version (alongside ERC-4906 `MetadataUpdate`).
    /// @param tokenId The asset.
    /// @param version Index of the new version (version 0 is the mint).
    /// @param uri Manifest URI of the new version.
    event VersionPublished(uint256 indexed tokenId, uint256 indexed version, string uri);

    /// @notice Mints an agent to `to` with its manifest at `uri` and no royalty (the seed interface).
    /// @dev Same as `mint(to, uri, AssetKind.Agent, 0)`. The caller becomes the creator.
    /// @param to First owner.
    /// @param uri Manifest URI, ideally `ipfs://<CIDv1>`; must not be empty ({SoukEmptyURI}).
    /// @return tokenId The new asset id (sequential from 1).
    function mintAgent(address to, string calldata uri) external returns (uint256 tokenId);

    /// @notice Mints an asset of any kind with an ERC-2981 royalty paid to the caller (the creator) for ever.
    /// @dev Reverts {SoukRoyaltyTooHigh} above {MAX_ROYALTY_BPS}, {SoukEmptyURI} on an empty URI.
    /// Emits `Transfer`, {AssetMinted}.
    /// @param to First owner.
    /// @param uri Manifest URI of version 0.
    /// @param kind Model, agent or dataset.
    /// @param royaltyBps Royalty in basis points of each sale price (0..1000).
    /// @return tokenId The new asset id.
    function mint(address to, string calldata uri, AssetKind kind, uint16 royaltyBps)
        external
        returns (uint256 tokenId);

    /// @notice Appends a version; only the current owner. Earlier versions stay readable.
    /// @dev Reverts {SoukNotAssetOwner}, {SoukEmptyURI}. Emits {VersionPublished}, `MetadataUpdate`.
    /// @param tokenId The asset.
    /// @param uri Manifest URI of the new version.
    /// @return version Index of the new version.
    function publishVersion(uint256 tokenId, string calldata uri) external returns (uint256 version);

    /// @notice How many versions the asset has (at least 1: the mint). Reverts for a nonexistent token.
    function versionCount(uint256 tokenId) external view returns (uint256);

    /// @notice Manifest URI of version `version` (0 = the mint). Reverts {SoukVersionOutOfRange}.
    function versionURI(uint256 tokenId, uint256 version) external view returns (string memory);

    /// @notice The account that minted the asset: it keeps royalties and job creator fees after any transfer.
    /// Reverts `ERC721NonexistentToken` for a nonexistent token.
    function creatorOf(uint256 tokenId) external view returns (address);

    /// @notice Model, agent or dataset. Reverts for a nonexistent token.
    function kindOf(uint256 tokenId) external view returns (AssetKind);

    /// @notice Royalty of the asset in basis points. Reverts for a nonexistent token.
    function royaltyBpsOf(uint256 tokenId) external view returns (uint16);

    /// @notice How many times the token changed hands since mint. Marketplace snapshots it in a listing so that a
    /// listing never survives a transfer, even one followed by a transfer back. Returns 0 for a nonexistent token
    /// (cheaper for callers that already checked ownership).
    function transferCount(uint256 tokenId) external view returns (uint32);

    /// @notice Ids are sequential; this is the number of assets ever minted.
    function totalMinted() external view returns (uint256);
}
