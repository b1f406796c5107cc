// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IMarketplace
/// @notice Fixed-price sale of Souk assets (AgentNFT tokens) in the native currency or an allow-listed ERC-20.
/// Listings are non-custodial: the seller keeps the token and approves the marketplace. One listing per token.
interface IMarketplace {
    /// @notice A live listing. `transferCount` is the token's transfer count when listed: any transfer since makes
    /// the listing stale for ever.
    struct Listing {
        address seller;
        uint32 transferCount;
        address currency;
        uint96 price;
    }

    /// @notice Thrown when the caller does not own the token it lists.
    error SoukNotTokenOwner(address caller, uint256 tokenId);
    /// @notice Thrown when the marketplace is not approved to transfer the token.
    error SoukMarketplaceNotApproved(uint256 tokenId);
    /// @notice Thrown on a zero price or one above `type(uint96).max` wei.
    error SoukInvalidPrice(uint256 price);
    /// @notice Thrown when a token has no listing.
    error SoukNotListed(uint256 tokenId);
    /// @notice Thrown when a listing's token changed hands after it was listed.
    error SoukListingStale(uint256 tokenId, address seller, address currentOwner);
    /// @notice Thrown when someone other than the seller changes or cancels a live listing.
    error SoukNotSeller(address caller, uint256 tokenId);
    /// @notice Thrown when a buyer's expected price differs from the listing's (front-running protection).
    error SoukPriceMismatch(uint256 tokenId, uint256 expected, uint256 actual);
    /// @notice Thrown when a buyer's expected currency differs from the listing's: a seller re-listed in another
    /// currency (e.g. an ERC-20 the buyer has a standing approval for) after the buyer looked.
    error SoukCurrencyMismatch(uint256 tokenId, address expected, address actual);
    /// @notice Thrown when a protocol fee above {MAX_PROTOCOL_FEE_BPS} is set.
    error SoukFeeTooHigh(uint256 feeBps, uint256 maxBps);
    /// @notice Thrown when the zero address is given where an account is required.
    error SoukZeroAddress();

    /// @notice A token was listed (or re-listed, replacing its previous listing).
    /// @param tokenId The asset.
    /// @param seller Owner who listed.
    /// @param currency Payment currency (`address(0)` native).
    /// @param price Price in wei of `currency`.
    event Listed(uint256 indexed tokenId, address indexed seller, address indexed currency, uint256 price);
    /// @notice A listing's price changed.
    /// @param tokenId The asset.
    /// @param price New price in wei of the currency.
    event PriceUpdated(uint256 indexed tokenId, uint256 price);
    /// @notice A listing was removed without a sale.
    /// @param tokenId The asset.
    /// @param by Who cancelled.
    event Cancelled(uint256 indexed tokenId, address indexed by);
    /// @notice A token was sold.
    /// @param tokenId The asset.
    /// @param seller Previous owner.
    /// @param buyer New owner.
    /// @param currency Payment currency.
    /// @param price Total paid, in wei of `currency`.
    /// @param royaltyReceiver ERC-2981 receiver (the creator).
    /// @param royalty Royalty paid, in wei.
    /// @param protocolFee Fee paid to the treasury, in wei. The seller received `price - royalty - protocolFee`.
    event Sold(
        uint256 indexed tokenId,
        address indexed seller,
        address indexed buyer,
        address currency,
        uint256 price,
        address royaltyReceiver,
        uint256 royalty,
        uint256 protocolFee
    );
    /// @notice Governance changed the protocol fee.
    /// @param feeBps New fee in basis points.
    event ProtocolFeeSet(uint256 feeBps);
    /// @notice Governance changed the treasury.
    /// @param treasury New receiver of protocol fees.
    event TreasurySet(address treasury);

    /// @notice Lists `tokenId` at `price` wei of `currency`, replacing any earlier listing of the token.
    /// @dev Caller must own the token and have approved the marketplace (`approve` or `setApprovalForAll`).
    /// Reverts {SoukNotTokenOwner}, {SoukMarketplaceNotApproved}, {SoukInvalidPrice}, {SoukCurrencyNotAllowed},
    /// `EnforcedPause`. Emits {Listed}.
    function list(uint256 tokenId, address currency, uint256 price) external;

    /// @notice Removes a listing. The seller may always cancel; anyone may clear a stale listing.
    /// @dev Never paused. Reverts {SoukNotListed}, {SoukNotSeller}. Emits {Cancelled}.
    function cancel(uint256 tokenId) external;

    /// @notice Changes the price of the caller's live listing.
    /// @dev Reverts {SoukNotListed}, {SoukNotSeller}, {SoukListingStale}, {SoukInvalidPrice}, `EnforcedPause`.
    /// Emits {PriceUpdated}.
    function updatePrice(uint256 tokenId, uint256 price) external;

    /// @notice Buys a listed token for exactly `expectedPrice` wei of exactly `expectedCurrency` (send it as
    /// `msg.value` for native listings; approve it for ERC-20 listings): what the buyer saw, so a seller who
    /// front-runs with `updatePrice` or a re-list in another currency cannot charge it something else. Pays the creator's ERC-2981 royalty (capped at 10 %), the protocol fee to the
    /// treasury, and the rest to the seller; a receiver that reverts is credited instead (pull payment). The protocol
    /// fee is the one in force at purchase (governance changes pass through a timelock, so sellers see them coming).
    /// A listing whose seller revoked the marketplace's approval stays listed but cannot be bought
    /// (`ERC721InsufficientApproval`); only the seller can cancel it.
    /// @dev Reverts {SoukNotListed}, {SoukListingStale}, {SoukCurrencyMismatch}, {SoukPriceMismatch},
    /// {SoukIncorrectPayment},
    /// `EnforcedPause`, `ReentrancyGuardReentrantCall`. Emits `Transfer`, {Sold}.
    /// @param tokenId The asset.
    /// @param expectedCurrency The currency the buyer agreed to (`address(0)` native).
    /// @param expectedPrice The price the buyer agreed to, in wei of the currency.
    function buy(uint256 tokenId, address expectedCurrency, uint256 expectedPrice) external payable;

    /// @notice Governance: sets the protocol fee in basis points (≤ {MAX_PROTOCOL_FEE_BPS}). Emits {ProtocolFeeSet}.
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Governance: sets the treasury receiving protocol fees. Emits {TreasurySet}.
    function setTreasury(address treasury) external;

    /// @notice Governance: allows or forbids a payment currency. Emits {CurrencyAllowed}.
    function setCurrencyAllowed(address currency, bool allowed) external;

    /// @notice The listing of `tokenId` (all zero when none). It may be stale: see {isListingValid}.
    function getListing(uint256 tokenId) external view returns (Listing memory);

    /// @notice Whether `tokenId` has a listing that {buy} would honour (ignoring approval and pause).
    function isListingValid(uint256 tokenId) external view returns (bool);

    /// @notice Current protocol fee in basis points.
    function protocolFeeBps() external view returns (uint16);

    /// @notice Current receiver of protocol fees.
    function treasury() external view returns (address);
}
