// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILineageRoyalties
/// @notice Lineage royalties of derived models (docs/training.md): a model trained through the market on a parent
/// model and licensed datasets is minted with a {RoyaltySplit} as its AgentNFT creator, so everything a creator earns
/// on it — the creator share of every job (ComputeEscrow credits), ERC-2981 royalties on sales (Marketplace) and
/// licences (Licenses) — lands in the split, which pays its lineage (the parent model's creator, the dataset owners)
/// their declared basis points and the derived model's own creator the rest, exactly to the wei.
interface ILineageRoyalties {
    /// @notice Thrown when the recipients and shares differ in length, or name none or more than 16.
    error SoukLineageInvalidRecipients(uint256 accounts, uint256 shares);
    /// @notice Thrown for a zero recipient, a zero share, or a recipient named twice.
    error SoukLineageInvalidRecipient(address account, uint256 bps);
    /// @notice Thrown when the lineage's shares add up to more than {MAX_LINEAGE_BPS}.
    error SoukLineageShareTooHigh(uint256 totalBps, uint256 maxBps);

    /// @notice A derived model was minted with its lineage split.
    /// @param tokenId The new AgentNFT token.
    /// @param split Its RoyaltySplit: the token's creator.
    /// @param creator Who minted it and receives the remainder of every payment.
    /// @param accounts The lineage recipients.
    /// @param bps Their shares, basis points of every payment.
    event DerivedMinted(
        uint256 indexed tokenId, address indexed split, address indexed creator, address[] accounts, uint16[] bps
    );

    /// @notice Most the lineage may take of a derived model's earnings, in basis points (50 %): the model's own
    /// creator always keeps at least half.
    function MAX_LINEAGE_BPS() external view returns (uint16);

    /// @notice Most lineage recipients per model.
    function MAX_LINEAGE_RECIPIENTS() external view returns (uint256);

    /// @notice Mints a derived model to `to` whose AgentNFT creator is a new RoyaltySplit paying `accounts[i]`
    /// `bps[i]` basis points of every payment and the caller (the derived model's creator) the rest.
    /// @dev Reverts {SoukLineageInvalidRecipients}, {SoukLineageInvalidRecipient}, {SoukLineageShareTooHigh}, and
    /// what `AgentNFT.mint` reverts (e.g. a royalty above 10 %). Emits {DerivedMinted}.
    /// @param to The model's owner.
    /// @param uri Its manifest URI (`ipfs://<CIDv1>`), whose `lineage` declares the same recipients and shares.
    /// @param royaltyBps ERC-2981 royalty on resales and licences, basis points (≤ 1000).
    /// @param accounts Lineage recipients: parent model creator, dataset owners (1–16, distinct, non-zero).
    /// @param bps Their shares, basis points (each > 0, sum ≤ {MAX_LINEAGE_BPS}).
    /// @return tokenId The new token.
    /// @return split Its RoyaltySplit.
    function mintDerived(
        address to,
        string calldata uri,
        uint16 royaltyBps,
        address[] calldata accounts,
        uint16[] calldata bps
    ) external returns (uint256 tokenId, address split);

    /// @notice The RoyaltySplit of a derived model; zero for a token not minted here.
    function splitOf(uint256 tokenId) external view returns (address);
}
