// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {IMarketplace} from "./interfaces/IMarketplace.sol";
import {Governed} from "./utils/Governed.sol";
import {Payouts} from "./utils/Payouts.sol";

/// @title Marketplace
/// @notice Fixed-price, non-custodial sales of Souk assets with an enforced ERC-2981 royalty and a governed
/// protocol fee.
/// @dev Listing lifecycle: none → listed (list) → listed (updatePrice / re-list) → none (cancel | buy); a listing
/// whose token changed hands is stale (AgentNFT's transfer count differs from the snapshot) and can only be
/// cleared. Payment order in {buy}: collect → transfer the token → pay royalty, fee and seller, each a push with
/// a pull-credit fallback, so no receiver can block a sale. Royalty is capped at {MAX_ROYALTY_BPS} whatever the
/// token reports.
contract Marketplace is IMarketplace, Governed, Payouts, ReentrancyGuardTransient {
    /// @notice Highest protocol fee governance may set, in basis points (10 %).
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice Highest royalty paid on a sale whatever `royaltyInfo` says, in basis points (10 %).
    uint16 public constant MAX_ROYALTY_BPS = 1_000;

    /// @notice The asset collection this marketplace sells.
    IAgentNFT public immutable agentNFT;

    mapping(uint256 tokenId => Listing) private _listings;
    address private _treasury;
    uint16 private _protocolFeeBps;

    /// @param nft The AgentNFT collection.
    /// @param admin Governance (timelock), or the deployer until it hands over.
    /// @param guardian Pauser; zero for none.
    /// @param treasury_ Receiver of protocol fees.
    /// @param feeBps Initial protocol fee in basis points.
    constructor(IAgentNFT nft, address admin, address guardian, address treasury_, uint16 feeBps)
        Governed(admin, guardian)
    {
        agentNFT = nft;
        _setTreasury(treasury_);
        _setProtocolFee(feeBps);
    }

    /// @inheritdoc IMarketplace
    function list(uint256 tokenId, address currency, uint256 price) external whenNotPaused {
        if (agentNFT.ownerOf(tokenId) != msg.sender) revert SoukNotTokenOwner(msg.sender, tokenId);
        if (agentNFT.getApproved(tokenId) != address(this) && !agentNFT.isApprovedForAll(msg.sender, address(this)))
        {
            revert SoukMarketplaceNotApproved(tokenId);
        }
        if (!isCurrencyAllowed(currency)) revert SoukCurrencyNotAllowed(currency);
        _checkPrice(price);
        _listings[tokenId] = Listing({
            seller: msg.sender,
            transferCount: agentNFT.transferCount(tokenId),
            currency: currency,
            // forge-lint: disable-next-line(unsafe-typecast) -- _checkPrice above: price ≤ type(uint96).max
            price: uint96(price)
        });
        emit Listed(tokenId, msg.sender, currency, price);
    }

    /// @inheritdoc IMarketplace
    function cancel(uint256 tokenId) external {
        Listing storage listing = _requireListed(tokenId);
        if (listing.seller != msg.sender && _isValid(tokenId, listing)) revert SoukNotSeller(msg.sender, tokenId);
        delete _listings[tokenId];
        emit Cancelled(tokenId, msg.sender);
    }

    /// @inheritdoc IMarketplace
    function updatePrice(uint256 tokenId, uint256 price) external whenNotPaused {
        Listing storage listing = _requireListed(tokenId);
        if (listing.seller != msg.sender) revert SoukNotSeller(msg.sender, tokenId);
        _requireValid(tokenId, listing);
        _checkPrice(price);
        // forge-lint: disable-next-line(unsafe-typecast) -- _checkPrice above: price ≤ type(uint96).max
        listing.price = uint96(price);
        emit PriceUpdated(tokenId, price);
    }

    /// @inheritdoc IMarketplace
    function buy(uint256 tokenId, address expectedCurrency, uint256 expectedPrice)
        external
        payable
        whenNotPaused
        nonReentrant
    {
        Listing memory listing = _requireListed(tokenId);
        _requireValid(tokenId, listing);
        if (listing.currency != expectedCurrency) {
            revert SoukCurrencyMismatch(tokenId, expectedCurrency, listing.currency);
        }
        if (listing.price != expectedPrice) revert SoukPriceMismatch(tokenId, expectedPrice, listing.price);
        delete _listings[tokenId];

        _collect(listing.currency, msg.sender, listing.price);
        agentNFT.transferFrom(listing.seller, msg.sender, tokenId);

        (address royaltyReceiver, uint256 royalty) = agentNFT.royaltyInfo(tokenId, listing.price);
        uint256 maxRoyalty = uint256(listing.price) * MAX_ROYALTY_BPS / 10_000;
        if (royalty > maxRoyalty) royalty = maxRoyalty;
        uint256 fee = uint256(listing.price) * _protocolFeeBps / 10_000;
        // Cannot underflow: royalty ≤ 10 % and fee ≤ 10 % of the price.
        uint256 proceeds;
        unchecked {
            proceeds = listing.price - royalty - fee;
        }
        emit Sold(tokenId, listing.seller, msg.sender, listing.currency, listing.price, royaltyReceiver, royalty, fee);
        _pay(listing.currency, royaltyReceiver, royalty);
        _pay(listing.currency, _treasury, fee);
        _pay(listing.currency, listing.seller, proceeds);
    }

    /// @inheritdoc IMarketplace
    function setProtocolFee(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProtocolFee(feeBps);
    }

    /// @inheritdoc IMarketplace
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IMarketplace
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCurrencyAllowed(currency, allowed);
    }

    /// @inheritdoc IMarketplace
    function getListing(uint256 tokenId) external view returns (Listing memory) {
        return _listings[tokenId];
    }

    /// @inheritdoc IMarketplace
    function isListingValid(uint256 tokenId) external view returns (bool) {
        Listing memory listing = _listings[tokenId];
        return listing.seller != address(0) && _isValid(tokenId, listing);
    }

    /// @inheritdoc IMarketplace
    function protocolFeeBps() external view returns (uint16) {
        return _protocolFeeBps;
    }

    /// @inheritdoc IMarketplace
    function treasury() external view returns (address) {
        return _treasury;
    }

    function _requireListed(uint256 tokenId) private view returns (Listing storage listing) {
        listing = _listings[tokenId];
        if (listing.seller == address(0)) revert SoukNotListed(tokenId);
    }

    function _isValid(uint256 tokenId, Listing memory listing) private view returns (bool) {
        return agentNFT.ownerOf(tokenId) == listing.seller && agentNFT.transferCount(tokenId) == listing.transferCount;
    }

    function _requireValid(uint256 tokenId, Listing memory listing) private view {
        if (!_isValid(tokenId, listing)) {
            revert SoukListingStale(tokenId, listing.seller, agentNFT.ownerOf(tokenId));
        }
    }

    function _checkPrice(uint256 price) private pure {
        if (price == 0 || price > type(uint96).max) revert SoukInvalidPrice(price);
    }

    function _setProtocolFee(uint16 feeBps) private {
        if (feeBps > MAX_PROTOCOL_FEE_BPS) revert SoukFeeTooHigh(feeBps, MAX_PROTOCOL_FEE_BPS);
        _protocolFeeBps = feeBps;
        emit ProtocolFeeSet(feeBps);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert SoukZeroAddress();
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }
}
