// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MockERC20} from "./utils/mocks/MockERC20.sol";
import {SoukFixture} from "./utils/SoukFixture.sol";
import {RevertingReceiver, GasBurningReceiver} from "./utils/mocks/Receivers.sol";
import {MarketReentrantSeller} from "./utils/mocks/MarketReentrantSeller.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";
import {ILicenses} from "../src/interfaces/ILicenses.sol";
import {IPayouts} from "../src/interfaces/IPayouts.sol";
import {Licenses} from "../src/Licenses.sol";

abstract contract LicensesTestBase is SoukFixture {
    string internal constant CID = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    address internal constant NATIVE = address(0);
    uint64 internal constant PERPETUAL = type(uint64).max;
    uint16 internal constant ROYALTY_BPS = 500;
    uint256 internal constant PRICE = 1 ether;
    uint256 internal constant USD_PRICE = 49_990_001; // 49.990001 mUSD
    uint64 internal constant DURATION = 30 days;

    address internal carol = makeAddr("carol");

    /// @dev Minted by `creator` (5 % royalty) to `alice`, the licensor.
    uint256 internal id;
    uint256 internal t0;

    function setUp() public virtual override {
        super.setUp();
        t0 = block.timestamp;
        vm.prank(creator);
        id = nft.mint(alice, CID, IAgentNFT.AssetKind.Dataset, ROYALTY_BPS);
        vm.deal(bob, 1_000 ether);
        usd.mint(bob, 1_000_000e6);
        vm.prank(bob);
        usd.approve(address(licenses), type(uint256).max);
    }

    function setTermsAs(address owner, uint256 assetId, address currency, uint256 price, uint64 duration) internal {
        vm.prank(owner);
        licenses.setTerms(assetId, currency, price, duration);
    }

    function buyNative(address buyer, uint256 assetId, address licensee, uint256 value)
        internal
        returns (uint64 expiresAt)
    {
        vm.prank(buyer);
        expiresAt = licenses.purchaseLicense{value: value}(assetId, licensee);
    }
}

contract LicensesSetTermsTest is LicensesTestBase {
    function test_setTerms_storesTermsAndEmitsIfOwner() public {
        vm.expectEmit(address(licenses));
        emit ILicenses.TermsSet(id, NATIVE, PRICE, DURATION);
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        ILicenses.Terms memory t = licenses.getTerms(id);
        assertEq(t.currency, NATIVE, "currency");
        assertEq(uint256(t.price), PRICE, "price");
        assertEq(uint256(t.duration), DURATION, "duration");
        assertTrue(t.active, "active");
    }

    function test_setTerms_acceptsAllowedERC20AndZeroPriceAndMaxPrice() public {
        setTermsAs(alice, id, address(usd), 0, 0);
        assertEq(licenses.getTerms(id).currency, address(usd), "usd");
        assertEq(uint256(licenses.getTerms(id).price), 0, "free");
        setTermsAs(alice, id, address(usd), type(uint96).max, 1);
        assertEq(uint256(licenses.getTerms(id).price), type(uint96).max, "max price");
    }

    function test_setTerms_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukNotAssetOwner.selector, creator, id));
        setTermsAs(creator, id, NATIVE, PRICE, DURATION);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukNotAssetOwner.selector, bob, id));
        setTermsAs(bob, id, NATIVE, PRICE, DURATION);
        assertFalse(licenses.getTerms(id).active, "nothing set");
    }

    function test_setTerms_revertsIfAssetDoesNotExist() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        setTermsAs(alice, 99, NATIVE, PRICE, DURATION);
    }

    function test_setTerms_revertsIfCurrencyNotAllowed() public {
        address token = makeAddr("token");
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, token));
        setTermsAs(alice, id, token, PRICE, DURATION);
    }

    function test_setTerms_revertsIfPriceAboveUint96Max() public {
        uint256 price = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukInvalidPrice.selector, price));
        setTermsAs(alice, id, NATIVE, price, DURATION);
    }

    function test_fuzz_setTerms_revertsIfPriceAboveUint96Max(uint256 price) public {
        price = bound(price, uint256(type(uint96).max) + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukInvalidPrice.selector, price));
        setTermsAs(alice, id, NATIVE, price, DURATION);
    }

    function test_setTerms_revertsIfPaused() public {
        vm.prank(guardian);
        licenses.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
    }

    function test_setTerms_reopensClosedLicensing() public {
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        vm.prank(alice);
        licenses.closeLicensing(id);
        setTermsAs(alice, id, NATIVE, 2 ether, DURATION);
        assertTrue(licenses.getTerms(id).active, "active again");
        buyNative(bob, id, bob, 2 ether);
        assertTrue(licenses.hasAccess(bob, id), "bought");
    }

    function test_setTerms_allowsNewOwnerAfterTransfer() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukNotAssetOwner.selector, alice, id));
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        setTermsAs(carol, id, NATIVE, PRICE, DURATION);
        assertTrue(licenses.getTerms(id).active, "new owner sets terms");
    }
}

contract LicensesCloseTest is LicensesTestBase {
    function setUp() public override {
        super.setUp();
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
    }

    function test_closeLicensing_blocksPurchasesAndKeepsLicences() public {
        buyNative(bob, id, bob, PRICE);
        vm.expectEmit(address(licenses));
        emit ILicenses.LicensingClosed(id);
        vm.prank(alice);
        licenses.closeLicensing(id);
        ILicenses.Terms memory t = licenses.getTerms(id);
        assertFalse(t.active, "inactive");
        assertEq(uint256(t.price), PRICE, "price kept");

        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukLicensingClosed.selector, id));
        buyNative(bob, id, carol, PRICE);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukLicensingClosed.selector, id));
        vm.prank(bob);
        licenses.purchaseLicenseAt{value: PRICE}(id, carol, NATIVE, PRICE, DURATION);
        assertTrue(licenses.hasAccess(bob, id), "existing licence still valid");
        assertFalse(licenses.hasAccess(carol, id), "no new licence");
    }

    function test_closeLicensing_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukNotAssetOwner.selector, bob, id));
        vm.prank(bob);
        licenses.closeLicensing(id);
        assertTrue(licenses.getTerms(id).active, "still open");
    }

    function test_closeLicensing_worksWhilePaused() public {
        vm.prank(guardian);
        licenses.pause();
        vm.prank(alice);
        licenses.closeLicensing(id);
        assertFalse(licenses.getTerms(id).active, "closed while paused");
    }

    function test_purchaseLicense_revertsIfTermsNeverSet() public {
        vm.prank(creator);
        uint256 other = nft.mintAgent(alice, CID);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukLicensingClosed.selector, other));
        buyNative(bob, other, bob, 0);
    }
}

contract LicensesPurchaseTest is LicensesTestBase {
    function setUp() public override {
        super.setUp();
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
    }

    function test_purchaseLicense_paysExactSplitInNative() public {
        uint64 expected = uint64(t0 + DURATION);
        vm.expectEmit(address(licenses));
        emit ILicenses.LicensePurchased(id, bob, carol, NATIVE, PRICE, 0.05 ether, 0.025 ether, expected);
        uint64 expiresAt = buyNative(bob, id, carol, PRICE);

        assertEq(expiresAt, expected, "expiry");
        assertEq(licenses.licenseExpiry(id, carol), expected, "stored");
        assertEq(creator.balance, 0.05 ether, "creator royalty");
        assertEq(treasury.balance, 0.025 ether, "fee");
        assertEq(alice.balance, 0.925 ether, "owner");
        assertEq(address(licenses).balance, 0, "nothing held");
        assertTrue(licenses.hasAccess(carol, id), "licensee has access");
        assertFalse(licenses.hasAccess(bob, id), "payer does not");
    }

    function test_purchaseLicense_paysExactSplitInERC20() public {
        setTermsAs(alice, id, address(usd), USD_PRICE, DURATION);
        uint256 royalty = USD_PRICE * ROYALTY_BPS / 10_000;
        uint256 fee = USD_PRICE * FEE_BPS / 10_000;
        assertEq(royalty, 2_499_500, "royalty");
        assertEq(fee, 1_249_750, "fee");
        uint256 bobBefore = usd.balanceOf(bob);
        vm.expectEmit(address(licenses));
        emit ILicenses.LicensePurchased(
            id, bob, bob, address(usd), USD_PRICE, royalty, fee, uint64(t0 + DURATION)
        );
        vm.prank(bob);
        licenses.purchaseLicenseAt(id, bob, address(usd), USD_PRICE, DURATION);

        assertEq(usd.balanceOf(creator), royalty, "creator");
        assertEq(usd.balanceOf(treasury), fee, "treasury");
        assertEq(usd.balanceOf(alice), USD_PRICE - royalty - fee, "owner");
        assertEq(usd.balanceOf(bob), bobBefore - USD_PRICE, "buyer");
        assertEq(usd.balanceOf(address(licenses)), 0, "nothing held");
        assertTrue(licenses.hasAccess(bob, id), "access");
    }

    function test_purchaseLicense_revertsIfTermsWereSetByAPreviousOwner() public {
        // Regression: a seller could set free perpetual terms before selling and bind the buyer to them.
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        assertFalse(licenses.isLicensingOpen(id), "lapsed on transfer");
        vm.deal(bob, PRICE);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukLicensingClosed.selector, id));
        vm.prank(bob);
        licenses.purchaseLicense{value: PRICE}(id, bob);
        assertFalse(licenses.hasAccess(bob, id), "no licence");
    }

    function test_purchaseLicense_paysNewOwnerButCreatorKeepsRoyaltyAfterTransfer() public {
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        setTermsAs(carol, id, NATIVE, PRICE, DURATION);
        assertTrue(licenses.isLicensingOpen(id), "new owner's terms");
        buyNative(bob, id, bob, PRICE);
        assertEq(creator.balance, 0.05 ether, "creator still gets royalty");
        assertEq(carol.balance, 0.925 ether, "new owner gets proceeds");
        assertEq(alice.balance, 0, "old owner gets nothing");
        assertEq(treasury.balance, 0.025 ether, "fee");
    }

    function test_purchaseLicense_paysCreatorBothSharesIfCreatorOwns() public {
        vm.prank(creator);
        uint256 own = nft.mint(creator, CID, IAgentNFT.AssetKind.Model, 1_000);
        setTermsAs(creator, own, NATIVE, PRICE, DURATION);
        buyNative(bob, own, bob, PRICE);
        assertEq(creator.balance, 0.975 ether, "royalty + proceeds");
    }

    function test_purchaseLicense_isFreeIfPriceZero() public {
        setTermsAs(alice, id, NATIVE, 0, DURATION);
        uint256 bobBefore = bob.balance;
        buyNative(bob, id, bob, 0);
        assertTrue(licenses.hasAccess(bob, id), "access");
        assertEq(bob.balance, bobBefore, "paid nothing");
        setTermsAs(alice, id, address(usd), 0, DURATION);
        vm.prank(carol);
        licenses.purchaseLicense(id, carol);
        assertTrue(licenses.hasAccess(carol, id), "free ERC-20 terms need no allowance");
    }

    function test_purchaseLicense_revertsIfNativeValueWrong() public {
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, PRICE - 1, PRICE));
        buyNative(bob, id, bob, PRICE - 1);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, PRICE + 1, PRICE));
        buyNative(bob, id, bob, PRICE + 1);
        assertEq(licenses.licenseExpiry(id, bob), 0, "nothing recorded");
    }

    function test_purchaseLicense_revertsIfValueSentForERC20Terms() public {
        setTermsAs(alice, id, address(usd), USD_PRICE, DURATION);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, 1, 0));
        buyNative(bob, id, bob, 1);
    }

    function test_purchaseLicense_revertsIfLicenseeZero() public {
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukZeroAddress.selector));
        buyNative(bob, id, address(0), PRICE);
    }

    function test_purchaseLicense_revertsIfPaused() public {
        vm.prank(guardian);
        licenses.pause();
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        buyNative(bob, id, bob, PRICE);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        vm.prank(bob);
        licenses.purchaseLicenseAt{value: PRICE}(id, bob, NATIVE, PRICE, DURATION);
    }

    function test_purchaseLicense_revertsIfCurrencyDisallowedAfterTermsSet() public {
        setTermsAs(alice, id, address(usd), USD_PRICE, DURATION);
        vm.prank(admin);
        licenses.setCurrencyAllowed(address(usd), false);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, address(usd)));
        buyNative(bob, id, bob, 0);
    }

    function test_purchaseLicenseAt_revertsIfPriceMismatch() public {
        setTermsAs(alice, id, address(usd), USD_PRICE, DURATION);
        // The owner raised the price after the buyer approved: the buyer's expected price protects them.
        setTermsAs(alice, id, address(usd), USD_PRICE * 2, DURATION);
        vm.expectRevert(
            abi.encodeWithSelector(ILicenses.SoukPriceMismatch.selector, id, USD_PRICE, USD_PRICE * 2)
        );
        vm.prank(bob);
        licenses.purchaseLicenseAt(id, bob, address(usd), USD_PRICE, DURATION);
    }

    /// @notice Terms changed under a buyer (audit item 14): the owner front-runs the purchase with
    /// `setTerms(…, 1 second)`; the price is unchanged, so a price check alone let the buyer pay for one second.
    function test_termsChangedUnderBuyer_durationCutToOneSecondReverts() public {
        setTermsAs(alice, id, NATIVE, PRICE, 1);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukDurationMismatch.selector, id, DURATION, 1));
        vm.prank(bob);
        licenses.purchaseLicenseAt{value: PRICE}(id, bob, NATIVE, PRICE, DURATION);
        assertEq(licenses.licenseExpiry(id, bob), 0, "nothing bought");
    }

    /// @notice Terms changed under a buyer (audit item 14): the owner switches the currency to another allowed
    /// ERC-20 the buyer has a standing approval for, at the same number: a price check alone let it charge the
    /// buyer in the other token.
    function test_termsChangedUnderBuyer_currencySwitchedToAnotherApprovedErc20Reverts() public {
        MockERC20 eur = new MockERC20();
        vm.prank(admin);
        licenses.setCurrencyAllowed(address(eur), true);
        eur.mint(bob, USD_PRICE);
        vm.prank(bob);
        eur.approve(address(licenses), type(uint256).max);
        setTermsAs(alice, id, address(usd), USD_PRICE, DURATION); // what bob saw
        setTermsAs(alice, id, address(eur), USD_PRICE, DURATION); // the front-run
        vm.expectRevert(
            abi.encodeWithSelector(ILicenses.SoukCurrencyMismatch.selector, id, address(usd), address(eur))
        );
        vm.prank(bob);
        licenses.purchaseLicenseAt(id, bob, address(usd), USD_PRICE, DURATION);
        assertEq(eur.balanceOf(bob), USD_PRICE, "no EUR taken");
    }

    /// @notice Fuzz: purchaseLicenseAt succeeds exactly when currency, price and duration all match the terms.
    function test_fuzz_purchaseLicenseAt_onlyAtTheTermsSeen(uint256 price, uint64 duration, uint8 change) public {
        price = bound(price, 0, 100 ether);
        duration = uint64(bound(duration, 0, 365 days));
        setTermsAs(alice, id, NATIVE, price, duration);
        uint256 seenPrice = change % 3 == 1 ? price + 1 : price;
        uint64 seenDuration = change % 3 == 2 ? duration + 1 : duration;
        if (change % 3 == 1) {
            vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukPriceMismatch.selector, id, seenPrice, price));
        } else if (change % 3 == 2) {
            vm.expectRevert(
                abi.encodeWithSelector(ILicenses.SoukDurationMismatch.selector, id, seenDuration, duration)
            );
        }
        vm.prank(bob);
        licenses.purchaseLicenseAt{value: price}(id, bob, NATIVE, seenPrice, seenDuration);
        if (change % 3 == 0) assertTrue(licenses.hasAccess(bob, id), "bought at the terms seen");
    }

    function test_purchaseLicenseAt_buysIfPriceMatches() public {
        vm.prank(bob);
        uint64 expiresAt = licenses.purchaseLicenseAt{value: PRICE}(id, bob, NATIVE, PRICE, DURATION);
        assertEq(expiresAt, t0 + DURATION, "expiry");
        assertEq(alice.balance, 0.925 ether, "owner paid");
    }

    function test_fuzz_purchaseLicense_splitsExactly(uint256 price, uint16 royaltyBps, uint16 feeBps) public {
        price = bound(price, 0, type(uint96).max);
        royaltyBps = uint16(bound(royaltyBps, 0, 1_000));
        feeBps = uint16(bound(feeBps, 0, 1_000));
        vm.prank(admin);
        licenses.setProtocolFee(feeBps);
        vm.prank(creator);
        uint256 asset = nft.mint(alice, CID, IAgentNFT.AssetKind.Model, royaltyBps);
        setTermsAs(alice, asset, NATIVE, price, DURATION);
        vm.deal(carol, price);
        vm.prank(carol);
        licenses.purchaseLicense{value: price}(asset, carol);

        uint256 royalty = price * royaltyBps / 10_000;
        uint256 fee = price * feeBps / 10_000;
        assertEq(creator.balance, royalty, "royalty");
        assertEq(treasury.balance, fee, "fee");
        assertEq(alice.balance, price - royalty - fee, "owner");
        assertEq(creator.balance + treasury.balance + alice.balance, price, "sum");
        assertEq(address(licenses).balance, 0, "nothing held");
    }
}

contract LicensesExpiryTest is LicensesTestBase {
    function setUp() public override {
        super.setUp();
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
    }

    function test_hasAccess_trueBeforeExpiryFalseAfter() public {
        uint64 expiresAt = buyNative(bob, id, bob, PRICE);
        assertTrue(licenses.hasAccess(bob, id), "at purchase");
        vm.warp(expiresAt - 1);
        assertTrue(licenses.hasAccess(bob, id), "last second");
        vm.warp(expiresAt);
        assertFalse(licenses.hasAccess(bob, id), "ends at expiresAt");
        vm.warp(expiresAt + 365 days);
        assertFalse(licenses.hasAccess(bob, id), "long after");
        assertEq(licenses.licenseExpiry(id, bob), expiresAt, "expiry kept as record");
    }

    function test_hasAccess_trueForOwnerWithoutLicence() public {
        assertTrue(licenses.hasAccess(alice, id), "owner");
        assertFalse(licenses.hasAccess(creator, id), "creator is not owner");
        vm.prank(alice);
        nft.transferFrom(alice, carol, id);
        assertTrue(licenses.hasAccess(carol, id), "new owner");
        assertFalse(licenses.hasAccess(alice, id), "old owner lost access");
    }

    function test_hasAccess_falseIfAssetDoesNotExist() public view {
        assertFalse(licenses.hasAccess(alice, 99), "nonexistent");
        assertFalse(licenses.hasAccess(address(0), 0), "zero");
        assertFalse(licenses.hasAccess(address(0), 99), "zero account, nonexistent asset");
    }

    function test_hasAccess_falseIfNeverBought() public view {
        assertFalse(licenses.hasAccess(bob, id), "no licence");
        assertEq(licenses.licenseExpiry(id, bob), 0, "zero expiry");
    }

    function test_purchaseLicense_extendsFromCurrentExpiryIfRenewedEarly() public {
        uint64 first = buyNative(bob, id, bob, PRICE);
        vm.warp(t0 + 10 days);
        uint64 second = buyNative(bob, id, bob, PRICE);
        assertEq(second, first + DURATION, "extends from expiry, not from now");
        assertEq(second, t0 + 2 * DURATION, "two durations");
        vm.warp(t0 + 2 * DURATION - 1);
        assertTrue(licenses.hasAccess(bob, id), "renewed");
    }

    function test_purchaseLicense_startsFromNowIfRenewedAfterExpiry() public {
        buyNative(bob, id, bob, PRICE);
        vm.warp(t0 + 100 days);
        assertFalse(licenses.hasAccess(bob, id), "lapsed");
        uint64 renewed = buyNative(bob, id, bob, PRICE);
        assertEq(renewed, t0 + 100 days + DURATION, "from now");
        assertTrue(licenses.hasAccess(bob, id), "access again");
    }

    function test_purchaseLicense_startsFromNowIfRenewedExactlyAtExpiry() public {
        uint64 first = buyNative(bob, id, bob, PRICE);
        vm.warp(first);
        uint64 renewed = buyNative(bob, id, bob, PRICE);
        assertEq(renewed, first + DURATION, "no gap, no overlap");
    }

    function test_purchaseLicense_usesNewDurationOnRenewal() public {
        uint64 first = buyNative(bob, id, bob, PRICE);
        setTermsAs(alice, id, NATIVE, PRICE, 1 days);
        assertEq(licenses.licenseExpiry(id, bob), first, "existing expiry kept when terms change");
        uint64 second = buyNative(bob, id, bob, PRICE);
        assertEq(second, first + 1 days, "extended by the new duration");
    }

    function test_purchaseLicense_isPerpetualIfDurationZero() public {
        setTermsAs(alice, id, NATIVE, PRICE, 0);
        vm.expectEmit(address(licenses));
        emit ILicenses.LicensePurchased(id, bob, bob, NATIVE, PRICE, 0.05 ether, 0.025 ether, PERPETUAL);
        uint64 expiresAt = buyNative(bob, id, bob, PRICE);
        assertEq(expiresAt, PERPETUAL, "perpetual");
        assertEq(licenses.PERPETUAL(), PERPETUAL, "constant");
        vm.warp(type(uint64).max - 1);
        assertTrue(licenses.hasAccess(bob, id), "never expires");
    }

    function test_purchaseLicense_keepsPerpetualOnTimedRenewal() public {
        setTermsAs(alice, id, NATIVE, PRICE, 0);
        buyNative(bob, id, bob, PRICE);
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        uint64 again = buyNative(bob, id, bob, PRICE);
        assertEq(again, PERPETUAL, "a perpetual licence is not shortened");
    }

    function test_purchaseLicense_upgradesTimedToPerpetual() public {
        buyNative(bob, id, bob, PRICE);
        setTermsAs(alice, id, NATIVE, PRICE, 0);
        assertEq(buyNative(bob, id, bob, PRICE), PERPETUAL, "perpetual");
    }

    function test_purchaseLicense_capsHugeDurationBelowPerpetual() public {
        setTermsAs(alice, id, NATIVE, PRICE, type(uint64).max);
        uint64 expiresAt = buyNative(bob, id, bob, PRICE);
        assertEq(expiresAt, PERPETUAL - 1, "capped just below the perpetual marker");
        assertEq(buyNative(bob, id, bob, PRICE), PERPETUAL - 1, "renewal stays capped");
    }

    function test_licenses_areIndependentPerAccountAndAsset() public {
        buyNative(bob, id, bob, PRICE);
        vm.prank(creator);
        uint256 other = nft.mintAgent(alice, CID);
        assertFalse(licenses.hasAccess(bob, other), "other asset");
        assertFalse(licenses.hasAccess(carol, id), "other account");
    }

    function test_fuzz_purchaseLicense_expiresAfterDuration(uint64 duration, uint256 price, uint256 start) public {
        duration = uint64(bound(duration, 1, 1_000 * 365 days));
        price = bound(price, 0, 1_000 ether);
        start = bound(start, t0, t0 + 100 * 365 days);
        setTermsAs(alice, id, NATIVE, price, duration);
        vm.warp(start);
        uint64 expiresAt = buyNative(bob, id, carol, price);
        assertEq(expiresAt, start + duration, "expiry");
        assertTrue(licenses.hasAccess(carol, id), "access now");
        vm.warp(start + duration - 1);
        assertTrue(licenses.hasAccess(carol, id), "access last second");
        vm.warp(start + duration);
        assertFalse(licenses.hasAccess(carol, id), "expired");
    }

    function test_fuzz_purchaseLicense_renewalExtendsOrRestarts(uint64 duration, uint256 gap) public {
        duration = uint64(bound(duration, 1, 10 * 365 days));
        gap = bound(gap, 0, 3 * uint256(duration));
        setTermsAs(alice, id, NATIVE, PRICE, duration);
        uint64 first = buyNative(bob, id, bob, PRICE);
        vm.warp(t0 + gap);
        uint64 second = buyNative(bob, id, bob, PRICE);
        uint256 expected = (first > t0 + gap ? first : t0 + gap) + duration;
        assertEq(second, expected, "renewal");
        assertGe(second, first + 1, "always later");
    }

    function test_fuzz_purchaseLicense_neverOverflowsExpiry(uint64 duration, uint64 start) public {
        duration = uint64(bound(duration, 1, type(uint64).max));
        start = uint64(bound(start, t0, type(uint64).max - 2));
        setTermsAs(alice, id, NATIVE, PRICE, duration);
        vm.warp(start);
        uint64 expiresAt = buyNative(bob, id, bob, PRICE);
        uint256 end = uint256(start) + duration;
        assertEq(expiresAt, end >= PERPETUAL ? PERPETUAL - 1 : end, "saturates below PERPETUAL");
        assertTrue(licenses.hasAccess(bob, id), "access");
    }
}

contract LicensesPayoutTest is LicensesTestBase {
    function test_purchaseLicense_creditsOwnerIfOwnerReverts() public {
        RevertingReceiver r = new RevertingReceiver();
        vm.prank(alice);
        nft.transferFrom(alice, address(r), id);
        r.execute(address(licenses), abi.encodeCall(licenses.setTerms, (id, NATIVE, PRICE, DURATION)));

        vm.expectEmit(address(licenses));
        emit IPayouts.PaymentCredited(NATIVE, address(r), 0.925 ether);
        buyNative(bob, id, bob, PRICE);

        assertTrue(licenses.hasAccess(bob, id), "licence granted");
        assertEq(creator.balance, 0.05 ether, "royalty paid");
        assertEq(treasury.balance, 0.025 ether, "fee paid");
        assertEq(licenses.creditsOf(NATIVE, address(r)), 0.925 ether, "credited");
        assertEq(licenses.totalCredits(NATIVE), 0.925 ether, "total");
        assertEq(address(licenses).balance, 0.925 ether, "balance == credits");

        vm.expectEmit(address(licenses));
        emit IPayouts.CreditsWithdrawn(NATIVE, address(r), carol, 0.925 ether);
        r.execute(address(licenses), abi.encodeCall(licenses.withdrawCredits, (NATIVE, carol)));
        assertEq(carol.balance, 0.925 ether, "withdrawn");
        assertEq(licenses.creditsOf(NATIVE, address(r)), 0, "cleared");
        assertEq(licenses.totalCredits(NATIVE), 0, "total cleared");
        assertEq(address(licenses).balance, 0, "empty");
    }

    function test_purchaseLicense_creditsRoyaltyIfCreatorBurnsGas() public {
        GasBurningReceiver g = new GasBurningReceiver();
        bytes memory ret =
            g.execute(address(nft), abi.encodeCall(nft.mint, (alice, CID, IAgentNFT.AssetKind.Model, uint16(1_000))));
        uint256 asset = abi.decode(ret, (uint256));
        setTermsAs(alice, asset, NATIVE, PRICE, DURATION);
        buyNative(bob, asset, bob, PRICE);
        assertEq(licenses.creditsOf(NATIVE, address(g)), 0.1 ether, "royalty credited");
        assertEq(alice.balance, 0.875 ether, "owner paid");
        assertEq(address(licenses).balance, licenses.totalCredits(NATIVE), "balance == credits");
    }

    function test_withdrawCredits_revertsIfNothingToWithdraw() public {
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukNothingToWithdraw.selector, alice, address(usd)));
        vm.prank(alice);
        licenses.withdrawCredits(address(usd), alice);
    }

    function test_purchaseLicense_blocksOwnerReenteringPurchase() public {
        MarketReentrantSeller s = new MarketReentrantSeller();
        vm.prank(alice);
        nft.transferFrom(alice, address(s), id);
        // A second, free asset the owner would like to license to itself during the payment.
        vm.prank(creator);
        uint256 other = nft.mintAgent(carol, CID);
        setTermsAs(carol, other, NATIVE, 0, DURATION);
        s.execute(address(licenses), abi.encodeCall(licenses.setTerms, (id, NATIVE, PRICE, DURATION)));
        s.arm(address(licenses), abi.encodeCall(licenses.purchaseLicense, (other, address(s))));

        buyNative(bob, id, bob, PRICE);

        assertFalse(s.armed(), "callback ran");
        assertFalse(s.reentered(), "re-entry failed");
        assertEq(
            s.revertSelector(), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector, "guard stopped it"
        );
        assertEq(licenses.licenseExpiry(other, address(s)), 0, "no licence obtained by re-entry");
        assertEq(address(s).balance, 0.925 ether, "owner paid");
        assertEq(address(licenses).balance, 0, "nothing held");
    }
}

contract LicensesGovernanceTest is LicensesTestBase {
    bytes32 internal constant ADMIN_ROLE = 0x00;

    function test_setProtocolFee_setsFeeIfAdmin() public {
        vm.expectEmit(address(licenses));
        emit ILicenses.ProtocolFeeSet(0);
        vm.prank(admin);
        licenses.setProtocolFee(0);
        assertEq(licenses.protocolFeeBps(), 0, "fee");
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        buyNative(bob, id, bob, PRICE);
        assertEq(treasury.balance, 0, "no fee");
        assertEq(alice.balance, 0.95 ether, "owner");
    }

    function test_setProtocolFee_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, ADMIN_ROLE)
        );
        vm.prank(alice);
        licenses.setProtocolFee(0);
    }

    function test_setProtocolFee_revertsIfAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukFeeTooHigh.selector, 1_001, 1_000));
        vm.prank(admin);
        licenses.setProtocolFee(1_001);
    }

    function test_setTreasury_revertsIfNotAdminOrZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, ADMIN_ROLE)
        );
        vm.prank(bob);
        licenses.setTreasury(bob);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukZeroAddress.selector));
        vm.prank(admin);
        licenses.setTreasury(address(0));
        vm.prank(admin);
        licenses.setTreasury(carol);
        assertEq(licenses.treasury(), carol, "treasury");
    }

    function test_constructor_revertsIfFeeAboveCapOrTreasuryZero() public {
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukFeeTooHigh.selector, 1_001, 1_000));
        new Licenses(nft, admin, guardian, treasury, 1_001);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukZeroAddress.selector));
        new Licenses(nft, admin, guardian, address(0), FEE_BPS);
    }

    function test_setCurrencyAllowed_revertsIfNotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, ADMIN_ROLE)
        );
        vm.prank(alice);
        licenses.setCurrencyAllowed(address(usd), false);
        assertTrue(licenses.isCurrencyAllowed(address(usd)), "still allowed");
    }
}

/// @notice Training licences (Usage.Training): their own terms and expiries, the same split, and no plaintext access.
contract LicensesTrainingTest is LicensesTestBase {
    function setTrainingTermsAs(address owner, uint256 assetId, address currency, uint256 price, uint64 duration)
        internal
    {
        vm.prank(owner);
        licenses.setTrainingTerms(assetId, currency, price, duration);
    }

    function buyTraining(address buyer, address licensee, uint256 value) internal returns (uint64) {
        ILicenses.Terms memory t = licenses.getTrainingTerms(id);
        vm.prank(buyer);
        return licenses.purchaseTrainingLicenseAt{value: value}(id, licensee, t.currency, t.price, t.duration);
    }

    function test_setTrainingTerms_storesTermsApartFromAccessTerms() public {
        vm.expectEmit(address(licenses));
        emit ILicenses.TrainingTermsSet(id, NATIVE, 2 ether, DURATION);
        setTrainingTermsAs(alice, id, NATIVE, 2 ether, DURATION);
        assertEq(uint256(licenses.getTrainingTerms(id).price), 2 ether, "training price");
        assertTrue(licenses.isTrainingLicensingOpen(id), "training open");
        assertFalse(licenses.isLicensingOpen(id), "access terms still unset");
        assertEq(uint256(licenses.getTerms(id).price), 0, "access terms untouched");
    }

    function test_setTrainingTerms_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukNotAssetOwner.selector, bob, id));
        setTrainingTermsAs(bob, id, NATIVE, PRICE, DURATION);
    }

    function test_purchaseTrainingLicense_paysExactSplitAndGrantsTrainingNotAccess() public {
        setTrainingTermsAs(alice, id, NATIVE, PRICE, DURATION);
        uint64 expected = uint64(t0 + DURATION);
        vm.expectEmit(address(licenses));
        emit ILicenses.TrainingLicensePurchased(id, bob, carol, NATIVE, PRICE, 0.05 ether, 0.025 ether, expected);
        uint64 expiresAt = buyTraining(bob, carol, PRICE);
        assertEq(expiresAt, expected, "expiry");
        assertEq(licenses.trainingLicenseExpiry(id, carol), expected, "stored");
        assertEq(licenses.licenseExpiry(id, carol), 0, "no access licence recorded");
        assertEq(creator.balance, 0.05 ether, "creator royalty");
        assertEq(treasury.balance, 0.025 ether, "fee");
        assertEq(alice.balance, 0.925 ether, "owner");
        assertEq(address(licenses).balance, 0, "nothing held");
        assertTrue(licenses.canTrain(carol, id), "licensee may train");
        assertFalse(licenses.hasAccess(carol, id), "a training licence never releases the plaintext");
        vm.warp(expiresAt);
        assertFalse(licenses.canTrain(carol, id), "ends at expiresAt");
    }

    function test_accessLicence_doesNotAllowTraining() public {
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        buyNative(bob, id, carol, PRICE);
        assertTrue(licenses.hasAccess(carol, id), "access");
        assertFalse(licenses.canTrain(carol, id), "an access licence is not a training licence");
    }

    function test_canTrain_trueForOwnerFalseForNonexistentAsset() public view {
        assertTrue(licenses.canTrain(alice, id), "owner");
        assertFalse(licenses.canTrain(bob, id), "stranger");
        assertFalse(licenses.canTrain(alice, 99), "nonexistent");
    }

    function test_purchaseTrainingLicense_revertsAtAccessTermsOrIfClosed() public {
        setTermsAs(alice, id, NATIVE, PRICE, DURATION);
        // Only access terms are set: training licences cannot be bought at them.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukPriceMismatch.selector, id, PRICE, 0));
        licenses.purchaseTrainingLicenseAt{value: PRICE}(id, bob, NATIVE, PRICE, DURATION);
        setTrainingTermsAs(alice, id, NATIVE, PRICE, DURATION);
        vm.prank(alice);
        licenses.closeLicensing(id);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukLicensingClosed.selector, id));
        licenses.purchaseTrainingLicenseAt{value: PRICE}(id, bob, NATIVE, PRICE, DURATION);
    }

    function test_fuzz_purchaseTrainingLicenseAt_onlyAtTheTermsSeen(uint256 price, uint64 duration) public {
        price = bound(price, 1, 100 ether);
        setTrainingTermsAs(alice, id, NATIVE, price, duration);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILicenses.SoukPriceMismatch.selector, id, price - 1, price));
        licenses.purchaseTrainingLicenseAt{value: price - 1}(id, bob, NATIVE, price - 1, duration);
        uint256 before = alice.balance;
        buyTraining(bob, bob, price);
        assertTrue(licenses.canTrain(bob, id), "bought");
        uint256 royalty = price * ROYALTY_BPS / 10_000;
        uint256 fee = price * licenses.protocolFeeBps() / 10_000;
        assertEq(alice.balance - before, price - royalty - fee, "owner share exact");
    }
}
