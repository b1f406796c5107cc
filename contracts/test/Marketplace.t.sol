// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC20Errors, IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MockERC20} from "./utils/mocks/MockERC20.sol";
import {SoukFixture} from "./utils/SoukFixture.sol";
import {RevertingReceiver, GasBurningReceiver, ReentrantReceiver} from "./utils/mocks/Receivers.sol";
import {MarketReentrantSeller} from "./utils/mocks/MarketReentrantSeller.sol";
import {MarketGreedyRoyaltyNFT} from "./utils/mocks/MarketGreedyRoyaltyNFT.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";
import {IMarketplace} from "../src/interfaces/IMarketplace.sol";
import {IPayouts} from "../src/interfaces/IPayouts.sol";
import {Marketplace} from "../src/Marketplace.sol";

abstract contract MarketplaceTestBase is SoukFixture {
    string internal constant CID = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    address internal constant NATIVE = address(0);
    uint16 internal constant ROYALTY_BPS = 500;
    uint256 internal constant PRICE = 1 ether;
    uint256 internal constant USD_PRICE = 1_234_567_891; // 1,234.567891 mUSD

    address internal carol = makeAddr("carol");
    address internal stranger = makeAddr("stranger");

    /// @dev Minted by `creator` (5 % royalty) to `alice`, who approved the marketplace for all her tokens.
    uint256 internal id;

    function setUp() public virtual override {
        super.setUp();
        id = mintTo(alice, ROYALTY_BPS);
        vm.prank(alice);
        nft.setApprovalForAll(address(market), true);
        vm.deal(bob, 1_000 ether);
        usd.mint(bob, 1_000_000e6);
        vm.prank(bob);
        usd.approve(address(market), type(uint256).max);
    }

    function mintTo(address owner, uint16 royaltyBps) internal returns (uint256 tokenId) {
        vm.prank(creator);
        tokenId = nft.mint(owner, CID, IAgentNFT.AssetKind.Model, royaltyBps);
    }

    function listAs(address seller, uint256 tokenId, address currency, uint256 price) internal {
        vm.prank(seller);
        market.list(tokenId, currency, price);
    }

    function split(uint256 price, uint256 royaltyBps, uint256 feeBps)
        internal
        pure
        returns (uint256 royalty, uint256 fee, uint256 proceeds)
    {
        royalty = price * royaltyBps / 10_000;
        fee = price * feeBps / 10_000;
        proceeds = price - royalty - fee;
    }

    function assertNoListing(uint256 tokenId) internal view {
        IMarketplace.Listing memory l = market.getListing(tokenId);
        assertEq(l.seller, address(0), "seller cleared");
        assertEq(l.currency, address(0), "currency cleared");
        assertEq(uint256(l.price), 0, "price cleared");
        assertEq(uint256(l.transferCount), 0, "count cleared");
        assertFalse(market.isListingValid(tokenId), "not valid");
    }

    function staleAfterRoundTrip() internal {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.prank(carol);
        nft.transferFrom(carol, alice, id);
    }
}

contract MarketplaceListTest is MarketplaceTestBase {
    function test_list_storesListingAndEmitsListed() public {
        vm.expectEmit(address(market));
        emit IMarketplace.Listed(id, alice, NATIVE, PRICE);
        listAs(alice, id, NATIVE, PRICE);
        IMarketplace.Listing memory l = market.getListing(id);
        assertEq(l.seller, alice, "seller");
        assertEq(l.currency, NATIVE, "currency");
        assertEq(uint256(l.price), PRICE, "price");
        assertEq(uint256(l.transferCount), 0, "transfer count");
        assertTrue(market.isListingValid(id), "valid");
        assertEq(nft.ownerOf(id), alice, "non-custodial");
    }

    function test_list_snapshotsTransferCount() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.startPrank(carol);
        nft.approve(address(market), id);
        market.list(id, address(usd), USD_PRICE);
        vm.stopPrank();
        assertEq(uint256(market.getListing(id).transferCount), 1, "snapshot");
        assertTrue(market.isListingValid(id), "valid");
    }

    function test_list_acceptsSingleTokenApproval() public {
        uint256 other = mintTo(carol, 0);
        vm.startPrank(carol);
        nft.approve(address(market), other);
        market.list(other, NATIVE, PRICE);
        vm.stopPrank();
        assertEq(market.getListing(other).seller, carol, "listed");
    }

    function test_list_revertsIfCallerNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotTokenOwner.selector, bob, id));
        listAs(bob, id, NATIVE, PRICE);
    }

    function test_list_revertsIfCallerIsOnlyApprovedOperator() public {
        vm.prank(alice);
        nft.setApprovalForAll(bob, true);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotTokenOwner.selector, bob, id));
        listAs(bob, id, NATIVE, PRICE);
    }

    function test_list_revertsIfMarketplaceNotApproved() public {
        uint256 other = mintTo(carol, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukMarketplaceNotApproved.selector, other));
        listAs(carol, other, NATIVE, PRICE);
        // Approving someone else does not count.
        vm.prank(carol);
        nft.approve(bob, other);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukMarketplaceNotApproved.selector, other));
        listAs(carol, other, NATIVE, PRICE);
    }

    function test_list_revertsIfApprovalForAllRevoked() public {
        vm.prank(alice);
        nft.setApprovalForAll(address(market), false);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukMarketplaceNotApproved.selector, id));
        listAs(alice, id, NATIVE, PRICE);
    }

    function test_list_revertsIfCurrencyNotAllowed() public {
        address token = makeAddr("randomToken");
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, token));
        listAs(alice, id, token, PRICE);

        vm.prank(admin);
        market.setCurrencyAllowed(address(usd), false);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, address(usd)));
        listAs(alice, id, address(usd), USD_PRICE);
    }

    function test_list_revertsIfPriceZero() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukInvalidPrice.selector, 0));
        listAs(alice, id, NATIVE, 0);
    }

    function test_list_revertsIfPriceAboveUint96Max() public {
        uint256 price = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukInvalidPrice.selector, price));
        listAs(alice, id, NATIVE, price);
    }

    function test_fuzz_list_revertsIfPriceAboveUint96Max(uint256 price) public {
        price = bound(price, uint256(type(uint96).max) + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukInvalidPrice.selector, price));
        listAs(alice, id, NATIVE, price);
    }

    function test_list_acceptsPriceAtUint96Max() public {
        listAs(alice, id, NATIVE, type(uint96).max);
        assertEq(uint256(market.getListing(id).price), type(uint96).max, "max price");
    }

    function test_list_revertsIfPaused() public {
        vm.prank(guardian);
        market.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        listAs(alice, id, NATIVE, PRICE);
    }

    function test_list_revertsIfTokenDoesNotExist() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        listAs(alice, 42, NATIVE, PRICE);
    }

    function test_list_replacesExistingListing() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.expectEmit(address(market));
        emit IMarketplace.Listed(id, alice, address(usd), USD_PRICE);
        listAs(alice, id, address(usd), USD_PRICE);
        IMarketplace.Listing memory l = market.getListing(id);
        assertEq(l.currency, address(usd), "currency replaced");
        assertEq(uint256(l.price), USD_PRICE, "price replaced");
        // The old native listing is gone: paying its price fails.
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplace.SoukCurrencyMismatch.selector, id, NATIVE, address(usd))
        );
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_list_revivesStaleListingForSameSeller() public {
        staleAfterRoundTrip();
        assertFalse(market.isListingValid(id), "stale");
        listAs(alice, id, NATIVE, PRICE);
        assertTrue(market.isListingValid(id), "re-listed");
        assertEq(uint256(market.getListing(id).transferCount), 2, "fresh snapshot");
    }
}

contract MarketplaceCancelTest is MarketplaceTestBase {
    function setUp() public override {
        super.setUp();
        listAs(alice, id, NATIVE, PRICE);
    }

    function test_cancel_removesListingIfSeller() public {
        vm.expectEmit(address(market));
        emit IMarketplace.Cancelled(id, alice);
        vm.prank(alice);
        market.cancel(id);
        assertNoListing(id);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotListed.selector, id));
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_cancel_revertsIfStrangerCancelsValidListing() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotSeller.selector, stranger, id));
        vm.prank(stranger);
        market.cancel(id);
        assertTrue(market.isListingValid(id), "still listed");
    }

    function test_cancel_revertsIfApprovedOperatorCancelsValidListing() public {
        vm.prank(alice);
        nft.setApprovalForAll(bob, true);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotSeller.selector, bob, id));
        vm.prank(bob);
        market.cancel(id);
    }

    function test_cancel_clearsStaleListingIfStranger() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        assertFalse(market.isListingValid(id), "stale");
        vm.expectEmit(address(market));
        emit IMarketplace.Cancelled(id, stranger);
        vm.prank(stranger);
        market.cancel(id);
        assertNoListing(id);
    }

    function test_cancel_clearsListingStaleAfterRoundTripIfStranger() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.prank(carol);
        nft.transferFrom(carol, alice, id);
        vm.prank(stranger);
        market.cancel(id);
        assertNoListing(id);
    }

    function test_cancel_removesStaleListingIfSeller() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.prank(alice);
        market.cancel(id);
        assertNoListing(id);
    }

    function test_cancel_revertsIfNotListed() public {
        uint256 other = mintTo(alice, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotListed.selector, other));
        vm.prank(alice);
        market.cancel(other);
        vm.prank(alice);
        market.cancel(id);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotListed.selector, id));
        vm.prank(alice);
        market.cancel(id);
    }

    function test_cancel_worksWhilePaused() public {
        vm.prank(guardian);
        market.pause();
        vm.prank(alice);
        market.cancel(id);
        assertNoListing(id);
    }
}

contract MarketplaceUpdatePriceTest is MarketplaceTestBase {
    function setUp() public override {
        super.setUp();
        listAs(alice, id, NATIVE, PRICE);
    }

    function test_updatePrice_changesPriceIfSeller() public {
        vm.expectEmit(address(market));
        emit IMarketplace.PriceUpdated(id, 2 ether);
        vm.prank(alice);
        market.updatePrice(id, 2 ether);
        IMarketplace.Listing memory l = market.getListing(id);
        assertEq(uint256(l.price), 2 ether, "price");
        assertEq(l.seller, alice, "seller kept");
        assertEq(l.currency, NATIVE, "currency kept");
        vm.prank(bob);
        market.buy{value: 2 ether}(id, NATIVE, 2 ether);
        assertEq(nft.ownerOf(id), bob, "sold at new price");
    }

    function test_updatePrice_makesBuyAtOldPriceRevert() public {
        vm.prank(alice);
        market.updatePrice(id, 3 ether);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukPriceMismatch.selector, id, PRICE, 3 ether));
        vm.prank(bob);
        market.buy{value: 3 ether}(id, NATIVE, PRICE);
    }

    function test_updatePrice_revertsIfNotSeller() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotSeller.selector, bob, id));
        vm.prank(bob);
        market.updatePrice(id, 2 ether);
    }

    function test_updatePrice_revertsIfListingStale() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukListingStale.selector, id, alice, carol));
        vm.prank(alice);
        market.updatePrice(id, 2 ether);
        // The new owner is not the seller either.
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotSeller.selector, carol, id));
        vm.prank(carol);
        market.updatePrice(id, 2 ether);
    }

    function test_updatePrice_revertsIfListingStaleAfterRoundTrip() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.prank(carol);
        nft.transferFrom(carol, alice, id);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukListingStale.selector, id, alice, alice));
        vm.prank(alice);
        market.updatePrice(id, 2 ether);
    }

    function test_updatePrice_revertsIfPriceInvalid() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukInvalidPrice.selector, 0));
        vm.prank(alice);
        market.updatePrice(id, 0);
        uint256 tooHigh = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukInvalidPrice.selector, tooHigh));
        vm.prank(alice);
        market.updatePrice(id, tooHigh);
    }

    function test_updatePrice_revertsIfNotListed() public {
        uint256 other = mintTo(alice, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotListed.selector, other));
        vm.prank(alice);
        market.updatePrice(other, 2 ether);
    }

    function test_updatePrice_revertsIfPaused() public {
        vm.prank(guardian);
        market.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        vm.prank(alice);
        market.updatePrice(id, 2 ether);
    }
}

contract MarketplaceBuyTest is MarketplaceTestBase {
    function test_buy_paysExactSplitInNative() public {
        listAs(alice, id, NATIVE, PRICE);
        (uint256 royalty, uint256 fee, uint256 proceeds) = split(PRICE, ROYALTY_BPS, FEE_BPS);
        assertEq(royalty, 0.05 ether, "royalty 5 %");
        assertEq(fee, 0.025 ether, "fee 2.5 %");
        assertEq(proceeds, 0.925 ether, "proceeds");
        uint256 bobBefore = bob.balance;

        vm.expectEmit(address(nft));
        emit IERC721.Transfer(alice, bob, id);
        vm.expectEmit(address(market));
        emit IMarketplace.Sold(id, alice, bob, NATIVE, PRICE, creator, royalty, fee);
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);

        assertEq(nft.ownerOf(id), bob, "buyer owns");
        assertEq(creator.balance, royalty, "creator");
        assertEq(treasury.balance, fee, "treasury");
        assertEq(alice.balance, proceeds, "seller");
        assertEq(bob.balance, bobBefore - PRICE, "buyer paid");
        assertEq(address(market).balance, 0, "market holds nothing");
        assertEq(market.totalCredits(NATIVE), 0, "no credits");
        assertNoListing(id);
    }

    function test_buy_paysExactSplitInERC20() public {
        listAs(alice, id, address(usd), USD_PRICE);
        (uint256 royalty, uint256 fee, uint256 proceeds) = split(USD_PRICE, ROYALTY_BPS, FEE_BPS);
        assertEq(royalty, 61_728_394, "royalty rounded down");
        assertEq(fee, 30_864_197, "fee rounded down");
        uint256 bobBefore = usd.balanceOf(bob);

        vm.expectEmit(address(market));
        emit IMarketplace.Sold(id, alice, bob, address(usd), USD_PRICE, creator, royalty, fee);
        vm.prank(bob);
        market.buy(id, address(usd), USD_PRICE);

        assertEq(nft.ownerOf(id), bob, "buyer owns");
        assertEq(usd.balanceOf(creator), royalty, "creator");
        assertEq(usd.balanceOf(treasury), fee, "treasury");
        assertEq(usd.balanceOf(alice), proceeds, "seller");
        assertEq(usd.balanceOf(bob), bobBefore - USD_PRICE, "buyer paid");
        assertEq(usd.balanceOf(address(market)), 0, "market holds nothing");
        assertEq(royalty + fee + proceeds, USD_PRICE, "sums");
        assertNoListing(id);
    }

    function test_buy_paysCreatorBothShareIfCreatorSells() public {
        uint256 own = mintTo(creator, ROYALTY_BPS);
        vm.prank(creator);
        nft.approve(address(market), own);
        listAs(creator, own, NATIVE, PRICE);
        vm.prank(bob);
        market.buy{value: PRICE}(own, NATIVE, PRICE);
        assertEq(creator.balance, PRICE - PRICE * FEE_BPS / 10_000, "royalty + proceeds");
        assertEq(treasury.balance, PRICE * FEE_BPS / 10_000, "treasury");
    }

    function test_buy_paysNoRoyaltyIfRoyaltyZero() public {
        uint256 free = mintTo(alice, 0);
        listAs(alice, free, NATIVE, PRICE);
        vm.expectEmit(address(market));
        emit IMarketplace.Sold(free, alice, bob, NATIVE, PRICE, creator, 0, 0.025 ether);
        vm.prank(bob);
        market.buy{value: PRICE}(free, NATIVE, PRICE);
        assertEq(creator.balance, 0, "no royalty");
        assertEq(alice.balance, 0.975 ether, "seller");
    }

    function test_buy_paysRoyaltyToCreatorOnResale() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
        vm.startPrank(bob);
        nft.setApprovalForAll(address(market), true);
        market.list(id, NATIVE, 2 ether);
        vm.stopPrank();
        vm.deal(carol, 2 ether);
        vm.prank(carol);
        market.buy{value: 2 ether}(id, NATIVE, 2 ether);
        assertEq(creator.balance, 0.05 ether + 0.1 ether, "royalty on both sales");
        assertEq(nft.ownerOf(id), carol, "carol owns");
        assertEq(nft.transferCount(id), 2, "two transfers");
    }

    function test_buy_appliesFeeInForceAtPurchase() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(admin);
        market.setProtocolFee(1_000);
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
        assertEq(treasury.balance, 0.1 ether, "fee at purchase time");
        assertEq(alice.balance, 0.85 ether, "seller");
    }

    function test_buy_revertsIfPriceMismatch() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukPriceMismatch.selector, id, PRICE - 1, PRICE));
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE - 1);
    }

    function test_buy_revertsIfNativeValueTooLow() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, PRICE - 1, PRICE));
        vm.prank(bob);
        market.buy{value: PRICE - 1}(id, NATIVE, PRICE);
    }

    function test_buy_revertsIfNativeValueTooHigh() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, PRICE + 1, PRICE));
        vm.prank(bob);
        market.buy{value: PRICE + 1}(id, NATIVE, PRICE);
        assertTrue(market.isListingValid(id), "still listed");
    }

    function test_buy_revertsIfValueSentForERC20Listing() public {
        listAs(alice, id, address(usd), USD_PRICE);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, 1, 0));
        vm.prank(bob);
        market.buy{value: 1}(id, address(usd), USD_PRICE);
    }

    function test_buy_revertsIfERC20AllowanceTooLow() public {
        listAs(alice, id, address(usd), USD_PRICE);
        vm.prank(bob);
        usd.approve(address(market), USD_PRICE - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(market), USD_PRICE - 1, USD_PRICE
            )
        );
        vm.prank(bob);
        market.buy(id, address(usd), USD_PRICE);
        assertEq(nft.ownerOf(id), alice, "not sold");
    }

    function test_buy_revertsIfNotListed() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotListed.selector, id));
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_buy_revertsIfAlreadySold() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
        vm.deal(carol, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukNotListed.selector, id));
        vm.prank(carol);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_buy_revertsIfListingStaleAfterTransfer() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        // Even if the new owner approves the marketplace, alice's listing must not sell carol's token.
        vm.prank(carol);
        nft.setApprovalForAll(address(market), true);
        assertFalse(market.isListingValid(id), "stale");
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukListingStale.selector, id, alice, carol));
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_buy_revertsIfListingStaleAfterTransferBackToSeller() public {
        staleAfterRoundTrip();
        assertEq(nft.ownerOf(id), alice, "alice owns again");
        assertTrue(nft.isApprovedForAll(alice, address(market)), "still approved");
        assertFalse(market.isListingValid(id), "stale");
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukListingStale.selector, id, alice, alice));
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_buy_revertsIfPaused() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(guardian);
        market.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
        vm.prank(admin);
        market.unpause();
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
        assertEq(nft.ownerOf(id), bob, "sells after unpause");
    }

    function test_buy_revertsIfCurrencyDisallowedAfterListing() public {
        listAs(alice, id, address(usd), USD_PRICE);
        vm.prank(admin);
        market.setCurrencyAllowed(address(usd), false);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, address(usd)));
        vm.prank(bob);
        market.buy(id, address(usd), USD_PRICE);
    }

    function test_buy_revertsIfSellerRevokedApproval() public {
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(alice);
        nft.setApprovalForAll(address(market), false);
        vm.expectRevert(
            abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, address(market), id)
        );
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
    }

    function test_buy_capsRoyaltyAtTenPercentIfTokenReportsMore() public {
        address greedyCreator = makeAddr("greedyCreator");
        MarketGreedyRoyaltyNFT greedy = new MarketGreedyRoyaltyNFT(greedyCreator, 5_000); // claims 50 %
        Marketplace m = new Marketplace(IAgentNFT(address(greedy)), admin, guardian, treasury, FEE_BPS);
        greedy.mint(alice, 7);
        vm.startPrank(alice);
        greedy.setApprovalForAll(address(m), true);
        m.list(7, NATIVE, PRICE);
        vm.stopPrank();
        (, uint256 reported) = greedy.royaltyInfo(7, PRICE);
        assertEq(reported, 0.5 ether, "token claims 50 %");

        vm.expectEmit(address(m));
        emit IMarketplace.Sold(7, alice, bob, NATIVE, PRICE, greedyCreator, 0.1 ether, 0.025 ether);
        vm.prank(bob);
        m.buy{value: PRICE}(7, NATIVE, PRICE);
        assertEq(greedyCreator.balance, 0.1 ether, "capped at 10 %");
        assertEq(alice.balance, 0.875 ether, "seller keeps the rest");
        assertEq(address(m).balance, 0, "nothing stuck");
    }


    /// @notice Terms changed under a buyer (audit item 14): the buyer saw a USD listing and has standing approvals
    /// for two ERC-20s; the seller re-lists in the other at the same number. A price check alone let it through.
    function test_buy_currencySwitchedByRelistReverts() public {
        MockERC20 eur = new MockERC20();
        vm.prank(admin);
        market.setCurrencyAllowed(address(eur), true);
        uint256 tokenId = mintTo(alice, ROYALTY_BPS);
        listAs(alice, tokenId, address(usd), USD_PRICE); // what carol saw
        listAs(alice, tokenId, address(eur), USD_PRICE); // the front-run
        usd.mint(carol, USD_PRICE);
        eur.mint(carol, USD_PRICE);
        vm.startPrank(carol);
        usd.approve(address(market), type(uint256).max);
        eur.approve(address(market), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplace.SoukCurrencyMismatch.selector, tokenId, address(usd), address(eur))
        );
        market.buy(tokenId, address(usd), USD_PRICE);
        vm.stopPrank();
        assertEq(eur.balanceOf(carol), USD_PRICE, "no EUR taken");
        assertEq(nft.ownerOf(tokenId), alice, "not sold");
    }

    function test_buy_revertsIfNativeExpectedButListedInErc20() public {
        uint256 tokenId = mintTo(alice, ROYALTY_BPS);
        listAs(alice, tokenId, address(usd), PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketplace.SoukCurrencyMismatch.selector, tokenId, NATIVE, address(usd))
        );
        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);
    }
    function test_buy_neverPaysMoreThanTenPercentRoyaltyWithAgentNFT() public {
        uint256 maxed = mintTo(alice, nft.MAX_ROYALTY_BPS());
        listAs(alice, maxed, NATIVE, PRICE);
        vm.prank(bob);
        market.buy{value: PRICE}(maxed, NATIVE, PRICE);
        assertEq(creator.balance, PRICE / 10, "10 %");
    }

    function test_fuzz_buy_splitsExactlyInNative(uint256 price, uint16 royaltyBps, uint16 feeBps) public {
        price = bound(price, 1, type(uint96).max);
        royaltyBps = uint16(bound(royaltyBps, 0, 1_000));
        feeBps = uint16(bound(feeBps, 0, 1_000));
        vm.prank(admin);
        market.setProtocolFee(feeBps);
        uint256 tokenId = mintTo(alice, royaltyBps);
        listAs(alice, tokenId, NATIVE, price);
        vm.deal(bob, price);

        vm.prank(bob);
        market.buy{value: price}(tokenId, NATIVE, price);

        (uint256 royalty, uint256 fee, uint256 proceeds) = split(price, royaltyBps, feeBps);
        assertEq(creator.balance, royalty, "royalty");
        assertEq(treasury.balance, fee, "fee");
        assertEq(alice.balance, proceeds, "proceeds");
        assertEq(creator.balance + treasury.balance + alice.balance, price, "sum is price");
        assertEq(bob.balance, 0, "buyer paid all");
        assertEq(address(market).balance, 0, "market holds 0");
        assertEq(nft.ownerOf(tokenId), bob, "buyer owns");
    }

    function test_fuzz_buy_splitsExactlyInERC20(uint256 price, uint16 royaltyBps, uint16 feeBps) public {
        price = bound(price, 1, type(uint96).max);
        royaltyBps = uint16(bound(royaltyBps, 0, 1_000));
        feeBps = uint16(bound(feeBps, 0, 1_000));
        vm.prank(admin);
        market.setProtocolFee(feeBps);
        uint256 tokenId = mintTo(alice, royaltyBps);
        listAs(alice, tokenId, address(usd), price);
        usd.mint(carol, price);
        vm.startPrank(carol);
        usd.approve(address(market), price);
        market.buy(tokenId, address(usd), price);
        vm.stopPrank();

        (uint256 royalty, uint256 fee, uint256 proceeds) = split(price, royaltyBps, feeBps);
        assertEq(usd.balanceOf(creator), royalty, "royalty");
        assertEq(usd.balanceOf(treasury), fee, "fee");
        assertEq(usd.balanceOf(alice), proceeds, "proceeds");
        assertEq(royalty + fee + proceeds, price, "sum is price");
        assertEq(usd.balanceOf(carol), 0, "buyer paid all");
        assertEq(usd.balanceOf(address(market)), 0, "market holds 0");
    }
}

contract MarketplaceGovernanceTest is MarketplaceTestBase {
    bytes32 internal constant ADMIN_ROLE = 0x00;

    function test_setProtocolFee_setsFeeIfAdmin() public {
        vm.expectEmit(address(market));
        emit IMarketplace.ProtocolFeeSet(1_000);
        vm.prank(admin);
        market.setProtocolFee(1_000);
        assertEq(market.protocolFeeBps(), 1_000, "fee");
        vm.prank(admin);
        market.setProtocolFee(0);
        assertEq(market.protocolFeeBps(), 0, "zero fee");
    }

    function test_setProtocolFee_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, ADMIN_ROLE)
        );
        vm.prank(alice);
        market.setProtocolFee(100);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, ADMIN_ROLE)
        );
        vm.prank(guardian);
        market.setProtocolFee(100);
        assertEq(market.protocolFeeBps(), FEE_BPS, "unchanged");
    }

    function test_setProtocolFee_revertsIfAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukFeeTooHigh.selector, 1_001, 1_000));
        vm.prank(admin);
        market.setProtocolFee(1_001);
    }

    function test_constructor_revertsIfFeeAboveCapOrTreasuryZero() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukFeeTooHigh.selector, 1_001, 1_000));
        new Marketplace(nft, admin, guardian, treasury, 1_001);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukZeroAddress.selector));
        new Marketplace(nft, admin, guardian, address(0), FEE_BPS);
    }

    function test_setTreasury_redirectsFeesIfAdmin() public {
        vm.expectEmit(address(market));
        emit IMarketplace.TreasurySet(carol);
        vm.prank(admin);
        market.setTreasury(carol);
        assertEq(market.treasury(), carol, "treasury");
        listAs(alice, id, NATIVE, PRICE);
        vm.prank(bob);
        market.buy{value: PRICE}(id, NATIVE, PRICE);
        assertEq(carol.balance, 0.025 ether, "new treasury paid");
        assertEq(treasury.balance, 0, "old treasury not paid");
    }

    function test_setTreasury_revertsIfNotAdminOrZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, ADMIN_ROLE)
        );
        vm.prank(alice);
        market.setTreasury(alice);
        vm.expectRevert(abi.encodeWithSelector(IMarketplace.SoukZeroAddress.selector));
        vm.prank(admin);
        market.setTreasury(address(0));
    }

    function test_setCurrencyAllowed_togglesIfAdmin() public {
        address token = makeAddr("token");
        assertFalse(market.isCurrencyAllowed(token), "not yet");
        assertTrue(market.isCurrencyAllowed(NATIVE), "native by default");
        vm.expectEmit(address(market));
        emit IPayouts.CurrencyAllowed(token, true);
        vm.prank(admin);
        market.setCurrencyAllowed(token, true);
        assertTrue(market.isCurrencyAllowed(token), "allowed");
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, ADMIN_ROLE)
        );
        vm.prank(bob);
        market.setCurrencyAllowed(token, false);
    }

    function test_pause_revertsIfNotGuardian() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, market.PAUSER_ROLE()
            )
        );
        vm.prank(alice);
        market.pause();
    }
}

contract MarketplaceGriefingTest is MarketplaceTestBase {
    function test_buy_creditsRoyaltyIfCreatorReverts() public {
        RevertingReceiver r = new RevertingReceiver();
        bytes memory ret = r.execute(
            address(nft), abi.encodeCall(nft.mint, (alice, CID, IAgentNFT.AssetKind.Model, uint16(ROYALTY_BPS)))
        );
        uint256 tokenId = abi.decode(ret, (uint256));
        assertEq(nft.creatorOf(tokenId), address(r), "contract is creator");
        listAs(alice, tokenId, NATIVE, PRICE);

        vm.expectEmit(address(market));
        emit IPayouts.PaymentCredited(NATIVE, address(r), 0.05 ether);
        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);

        assertEq(nft.ownerOf(tokenId), bob, "sale went through");
        assertEq(alice.balance, 0.925 ether, "seller paid");
        assertEq(treasury.balance, 0.025 ether, "fee paid");
        assertEq(market.creditsOf(NATIVE, address(r)), 0.05 ether, "credited");
        assertEq(market.totalCredits(NATIVE), 0.05 ether, "total credits");
        assertEq(address(market).balance, 0.05 ether, "balance == credits");

        vm.expectEmit(address(market));
        emit IPayouts.CreditsWithdrawn(NATIVE, address(r), carol, 0.05 ether);
        r.execute(address(market), abi.encodeCall(market.withdrawCredits, (NATIVE, carol)));
        assertEq(carol.balance, 0.05 ether, "withdrawn elsewhere");
        assertEq(market.creditsOf(NATIVE, address(r)), 0, "credit cleared");
        assertEq(market.totalCredits(NATIVE), 0, "total cleared");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_buy_creditsProceedsIfSellerReverts() public {
        RevertingReceiver r = new RevertingReceiver();
        uint256 tokenId = mintTo(address(r), ROYALTY_BPS);
        r.execute(address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
        r.execute(address(market), abi.encodeCall(market.list, (tokenId, NATIVE, PRICE)));

        vm.expectEmit(address(market));
        emit IPayouts.PaymentCredited(NATIVE, address(r), 0.925 ether);
        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);

        assertEq(nft.ownerOf(tokenId), bob, "sale went through");
        assertEq(creator.balance, 0.05 ether, "royalty paid");
        assertEq(treasury.balance, 0.025 ether, "fee paid");
        assertEq(market.creditsOf(NATIVE, address(r)), 0.925 ether, "credited");
        assertEq(address(market).balance, market.totalCredits(NATIVE), "balance == credits");

        r.execute(address(market), abi.encodeCall(market.withdrawCredits, (NATIVE, carol)));
        assertEq(carol.balance, 0.925 ether, "withdrawn");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_buy_creditsProceedsIfSellerBurnsGas() public {
        GasBurningReceiver g = new GasBurningReceiver();
        uint256 tokenId = mintTo(address(g), ROYALTY_BPS);
        g.execute(address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
        g.execute(address(market), abi.encodeCall(market.list, (tokenId, NATIVE, PRICE)));

        vm.expectEmit(address(market));
        emit IPayouts.PaymentCredited(NATIVE, address(g), 0.925 ether);
        vm.prank(bob);
        uint256 before = gasleft();
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);
        uint256 used = before - gasleft();

        assertLe(used, 300_000, "griefing cost bounded by the push gas limit");
        assertEq(nft.ownerOf(tokenId), bob, "sale went through");
        assertEq(market.creditsOf(NATIVE, address(g)), 0.925 ether, "credited");
        g.execute(address(market), abi.encodeCall(market.withdrawCredits, (NATIVE, carol)));
        assertEq(carol.balance, 0.925 ether, "withdrawn");
    }

    function test_buy_creditsRoyaltyIfCreatorBurnsGas() public {
        GasBurningReceiver g = new GasBurningReceiver();
        g.execute(
            address(nft), abi.encodeCall(nft.mint, (alice, CID, IAgentNFT.AssetKind.Agent, uint16(1_000)))
        );
        listAs(alice, 2, NATIVE, PRICE);
        vm.prank(bob);
        market.buy{value: PRICE}(2, NATIVE, PRICE);
        assertEq(market.creditsOf(NATIVE, address(g)), 0.1 ether, "royalty credited");
        assertEq(alice.balance, 0.875 ether, "seller paid");
    }

    function test_withdrawCredits_revertsIfNothingToWithdraw() public {
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukNothingToWithdraw.selector, alice, NATIVE));
        vm.prank(alice);
        market.withdrawCredits(NATIVE, alice);
    }

    function test_withdrawCredits_revertsAndKeepsCreditIfDestinationReverts() public {
        RevertingReceiver r = new RevertingReceiver();
        uint256 tokenId = mintTo(address(r), 0);
        r.execute(address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
        r.execute(address(market), abi.encodeCall(market.list, (tokenId, NATIVE, PRICE)));
        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);
        uint256 credit = market.creditsOf(NATIVE, address(r));
        assertEq(credit, 0.975 ether, "credited");

        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukWithdrawalFailed.selector, address(r), credit));
        r.execute(address(market), abi.encodeCall(market.withdrawCredits, (NATIVE, address(r))));
        assertEq(market.creditsOf(NATIVE, address(r)), credit, "credit kept");
        assertEq(market.totalCredits(NATIVE), credit, "total kept");
    }

    function test_withdrawCredits_worksWhilePaused() public {
        RevertingReceiver r = new RevertingReceiver();
        uint256 tokenId = mintTo(address(r), 0);
        r.execute(address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
        r.execute(address(market), abi.encodeCall(market.list, (tokenId, NATIVE, PRICE)));
        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);
        vm.prank(guardian);
        market.pause();
        r.execute(address(market), abi.encodeCall(market.withdrawCredits, (NATIVE, carol)));
        assertEq(carol.balance, 0.975 ether, "withdrawn while paused");
    }
}

contract MarketplaceReentrancyTest is MarketplaceTestBase {
    function _listFrom(address seller, uint256 tokenId, address currency, uint256 price) internal {
        ReentrantReceiver(payable(seller)).execute(
            address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true))
        );
        ReentrantReceiver(payable(seller)).execute(
            address(market), abi.encodeCall(market.list, (tokenId, currency, price))
        );
    }

    function test_buy_blocksSellerReenteringBuy() public {
        ReentrantReceiver r = new ReentrantReceiver();
        uint256 tokenId = mintTo(address(r), ROYALTY_BPS);
        _listFrom(address(r), tokenId, NATIVE, PRICE);
        r.arm(address(market), abi.encodeCall(market.buy, (tokenId, NATIVE, PRICE)));

        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);

        assertTrue(r.attempted(), "callback ran");
        assertFalse(r.reentered(), "re-entry failed");
        assertEq(nft.ownerOf(tokenId), bob, "buyer owns");
        assertEq(address(r).balance, 0.925 ether, "seller paid once");
        assertEq(creator.balance, 0.05 ether, "royalty");
        assertEq(treasury.balance, 0.025 ether, "fee");
        assertEq(address(market).balance, 0, "market empty");
        assertEq(market.totalCredits(NATIVE), 0, "no credits");
    }

    function test_buy_blocksSellerReenteringCancel() public {
        ReentrantReceiver r = new ReentrantReceiver();
        uint256 tokenId = mintTo(address(r), ROYALTY_BPS);
        _listFrom(address(r), tokenId, NATIVE, PRICE);
        r.arm(address(market), abi.encodeCall(market.cancel, (tokenId)));

        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);

        assertTrue(r.attempted(), "callback ran");
        assertFalse(r.reentered(), "re-entry failed");
        assertEq(nft.ownerOf(tokenId), bob, "buyer owns");
        assertEq(address(r).balance, 0.925 ether, "seller paid");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_buy_revertsReentrantBuyOfAnotherListingWithGuardError() public {
        // The seller re-enters to buy a different, valid ERC-20 listing it has approved for: only the
        // reentrancy guard stops it.
        MarketReentrantSeller s = new MarketReentrantSeller();
        uint256 tokenId = mintTo(address(s), ROYALTY_BPS);
        s.execute(address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
        s.execute(address(market), abi.encodeCall(market.list, (tokenId, NATIVE, PRICE)));
        uint256 other = mintTo(carol, 0);
        vm.startPrank(carol);
        nft.setApprovalForAll(address(market), true);
        market.list(other, address(usd), 1);
        vm.stopPrank();
        usd.mint(address(s), 1);
        s.execute(address(usd), abi.encodeCall(usd.approve, (address(market), 1)));
        s.arm(address(market), abi.encodeCall(market.buy, (other, address(usd), 1)));

        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);

        assertFalse(s.armed(), "callback ran");
        assertFalse(s.reentered(), "re-entry failed");
        assertEq(
            s.revertSelector(), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector, "guard stopped it"
        );
        assertEq(nft.ownerOf(other), carol, "other token not bought");
        assertTrue(market.isListingValid(other), "other listing intact");
        assertEq(address(s).balance, 0.925 ether, "seller paid");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_buy_revertsReentrantCancelOfSoldToken() public {
        MarketReentrantSeller s = new MarketReentrantSeller();
        uint256 tokenId = mintTo(address(s), ROYALTY_BPS);
        s.execute(address(nft), abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
        s.execute(address(market), abi.encodeCall(market.list, (tokenId, NATIVE, PRICE)));
        s.arm(address(market), abi.encodeCall(market.cancel, (tokenId)));

        vm.prank(bob);
        market.buy{value: PRICE}(tokenId, NATIVE, PRICE);

        assertFalse(s.reentered(), "re-entry failed");
        assertEq(s.revertSelector(), IMarketplace.SoukNotListed.selector, "listing deleted before payment");
        assertEq(nft.ownerOf(tokenId), bob, "buyer owns");
        assertEq(address(s).balance, 0.925 ether, "seller paid");
    }
}
