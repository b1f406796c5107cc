// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILicenses
/// @notice On-chain access licences to Souk assets: the asset's owner sets terms, buyers purchase time-bound or
/// perpetual licences, and the storage gateway asks {hasAccess} before it releases plaintext.
interface ILicenses {
    /// @notice What a licence allows. `Access` releases the asset's plaintext to the licensee (the storage gateway
    /// asks {hasAccess}). `Training` lets the licensee order compute jobs that train or evaluate on the asset
    /// (compute-to-data): the providers holding the job read it through the order gateway, the licensee receives
    /// only what the job returns, never the plaintext, so a training licence does not grant access.
    enum Usage {
        Access,
        Training
    }

    /// @notice Licence terms of an asset.
    /// @param currency Payment currency (`address(0)` native).
    /// @param price Price of one licence, in wei of `currency` (0 = free).
    /// @param duration Licence length in seconds; 0 = perpetual.
    /// @param active Whether licences can be bought.
    /// @param transferCount The asset's AgentNFT transfer count when the terms were set: terms lapse when the asset
    /// changes hands, so a seller cannot leave a buyer bound by (say) free perpetual terms.
    struct Terms {
        address currency;
        uint96 price;
        uint64 duration;
        bool active;
        uint32 transferCount;
    }

    /// @notice Thrown when someone other than the asset's owner sets terms.
    error SoukNotAssetOwner(address caller, uint256 assetId);
    /// @notice Thrown when an asset has no active terms (never set, closed, or set by a previous owner).
    error SoukLicensingClosed(uint256 assetId);
    /// @notice Thrown when a price exceeds `type(uint96).max` wei.
    error SoukInvalidPrice(uint256 price);
    /// @notice Thrown when the buyer's expected price differs from the terms (front-running protection).
    error SoukPriceMismatch(uint256 assetId, uint256 expected, uint256 actual);
    /// @notice Thrown when the buyer's expected currency differs from the terms' (an owner switched currencies, e.g.
    /// to an ERC-20 the buyer has a standing approval for).
    error SoukCurrencyMismatch(uint256 assetId, address expected, address actual);
    /// @notice Thrown when the buyer's expected licence duration (seconds; 0 = perpetual) differs from the terms'
    /// (an owner cut it, say to one second, between the buyer's look and the purchase).
    error SoukDurationMismatch(uint256 assetId, uint64 expected, uint64 actual);
    /// @notice Thrown when a protocol fee above the cap is set.
    error SoukFeeTooHigh(uint256 feeBps, uint256 maxBps);
    /// @notice Thrown when the zero address is given where an account is required.
    error SoukZeroAddress();

    /// @notice Terms were set or changed. Existing licences keep their expiry.
    /// @param assetId The asset.
    /// @param currency Payment currency.
    /// @param price Price in wei of `currency`.
    /// @param duration Seconds per licence; 0 = perpetual.
    event TermsSet(uint256 indexed assetId, address indexed currency, uint256 price, uint64 duration);
    /// @notice Licensing was closed; existing licences stay valid until they expire.
    /// @param assetId The asset.
    event LicensingClosed(uint256 indexed assetId);
    /// @notice A licence was bought.
    /// @param assetId The asset.
    /// @param buyer Who paid.
    /// @param licensee Who holds the licence.
    /// @param currency Payment currency.
    /// @param price Paid, in wei of `currency`.
    /// @param royalty Part of `price` paid to the creator, in wei.
    /// @param protocolFee Part of `price` paid to the treasury, in wei; the owner got the rest.
    /// @param expiresAt Unix time in seconds when access ends; `type(uint64).max` = perpetual.
    event LicensePurchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed licensee,
        address currency,
        uint256 price,
        uint256 royalty,
        uint256 protocolFee,
        uint64 expiresAt
    );
    /// @notice Training terms were set or changed ({setTrainingTerms}). Existing training licences keep their expiry.
    /// @param assetId The asset.
    /// @param currency Payment currency.
    /// @param price Price in wei of `currency`.
    /// @param duration Seconds per licence; 0 = perpetual.
    event TrainingTermsSet(uint256 indexed assetId, address indexed currency, uint256 price, uint64 duration);
    /// @notice A training licence was bought ({purchaseTrainingLicense}); same fields and split as
    /// {LicensePurchased}.
    event TrainingLicensePurchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed licensee,
        address currency,
        uint256 price,
        uint256 royalty,
        uint256 protocolFee,
        uint64 expiresAt
    );
    /// @notice Governance changed the protocol fee.
    /// @param feeBps New fee in basis points.
    event ProtocolFeeSet(uint256 feeBps);
    /// @notice Governance changed the treasury.
    /// @param treasury New receiver of protocol fees.
    event TreasurySet(address treasury);

    /// @notice Sets the licence terms of `assetId`; only its current owner.
    /// @dev Reverts {SoukNotAssetOwner}, {SoukInvalidPrice}, {SoukCurrencyNotAllowed}, `EnforcedPause`.
    /// Emits {TermsSet}.
    /// @param assetId The asset (AgentNFT token id).
    /// @param currency Payment currency (`address(0)` native).
    /// @param price Price in wei of `currency`.
    /// @param duration Licence length in seconds; 0 = perpetual.
    function setTerms(uint256 assetId, address currency, uint256 price, uint64 duration) external;

    /// @notice Sets the training-licence terms of `assetId` ({Usage.Training}); only its current owner. Independent
    /// of the access terms: an owner may sell training use of a dataset without ever selling its plaintext.
    /// @dev Reverts {SoukNotAssetOwner}, {SoukInvalidPrice}, {SoukCurrencyNotAllowed}, `EnforcedPause`.
    /// Emits {TrainingTermsSet}.
    /// @param assetId The asset (AgentNFT token id).
    /// @param currency Payment currency (`address(0)` native).
    /// @param price Price in wei of `currency`.
    /// @param duration Licence length in seconds; 0 = perpetual.
    function setTrainingTerms(uint256 assetId, address currency, uint256 price, uint64 duration) external;

    /// @notice Stops new purchases of `assetId` licences of both usages; only its owner. Never paused.
    /// Emits {LicensingClosed}.
    function closeLicensing(uint256 assetId) external;

    /// @notice Buys a licence for `licensee` at whatever the terms are when the transaction lands: prefer
    /// {purchaseLicenseAt}, which reverts if the owner changed them in between. Pays the creator's royalty (the asset's ERC-2981
    /// bps), the protocol fee to the treasury and the rest to the asset's current owner. Buying again while a
    /// licence runs extends it by one duration.
    /// @dev For native terms send exactly the price as `msg.value`; for ERC-20 terms approve the price.
    /// Reverts {SoukLicensingClosed}, {SoukIncorrectPayment}, {SoukCurrencyNotAllowed}, `EnforcedPause`.
    /// Emits {LicensePurchased}.
    /// @param assetId The asset.
    /// @param licensee Who gets access.
    /// @return expiresAt Unix time in seconds when access ends; `type(uint64).max` = perpetual.
    function purchaseLicense(uint256 assetId, address licensee) external payable returns (uint64 expiresAt);

    /// @notice Same as {purchaseLicense}, but only at the terms the buyer saw (slippage protection): reverts
    /// {SoukCurrencyMismatch}, {SoukPriceMismatch} or {SoukDurationMismatch} when the owner changed the currency,
    /// price or duration in between (by front-running with {setTerms}).
    /// @param assetId The asset.
    /// @param licensee Who gets access.
    /// @param expectedCurrency The terms' currency the buyer saw (`address(0)` native).
    /// @param expectedPrice The terms' price the buyer saw, wei of that currency.
    /// @param expectedDuration The terms' duration the buyer saw, seconds (0 = perpetual).
    /// @return expiresAt Unix time in seconds when access ends; `type(uint64).max` = perpetual.
    function purchaseLicenseAt(
        uint256 assetId,
        address licensee,
        address expectedCurrency,
        uint256 expectedPrice,
        uint64 expectedDuration
    ) external payable returns (uint64 expiresAt);

    /// @notice Buys a training licence ({Usage.Training}) for `licensee` at the training terms the buyer saw;
    /// reverts like {purchaseLicenseAt}. The price is split as an access licence's (royalty, fee, owner).
    /// @dev Emits {TrainingLicensePurchased}.
    /// @param assetId The asset.
    /// @param licensee Who may train on it.
    /// @param expectedCurrency The training terms' currency the buyer saw (`address(0)` native).
    /// @param expectedPrice The training terms' price the buyer saw, wei of that currency.
    /// @param expectedDuration The training terms' duration the buyer saw, seconds (0 = perpetual).
    /// @return expiresAt Unix time in seconds when the right ends; `type(uint64).max` = perpetual.
    function purchaseTrainingLicenseAt(
        uint256 assetId,
        address licensee,
        address expectedCurrency,
        uint256 expectedPrice,
        uint64 expectedDuration
    ) external payable returns (uint64 expiresAt);

    /// @notice Whether `account` may order jobs that train or evaluate on `assetId` now: it holds an unexpired
    /// training licence, or owns the asset. An access licence alone does not allow training.
    /// @dev What the node checks, on-chain, before it escrows a training job. False for nonexistent assets.
    function canTrain(address account, uint256 assetId) external view returns (bool);

    /// @notice When `account`'s training licence to `assetId` ends (Unix seconds); 0 = never bought;
    /// `type(uint64).max` = perpetual.
    function trainingLicenseExpiry(uint256 assetId, address account) external view returns (uint64);

    /// @notice Current training terms of `assetId` (all zero when never set); lapsed like {getTerms}'.
    function getTrainingTerms(uint256 assetId) external view returns (Terms memory);

    /// @notice Whether training licences to `assetId` can be bought now.
    function isTrainingLicensingOpen(uint256 assetId) external view returns (bool);

    /// @notice Whether `account` may access `assetId` now: it holds an unexpired licence, or owns the asset.
    /// @dev What the storage gateway checks, on-chain, before it streams plaintext. False for nonexistent assets.
    function hasAccess(address account, uint256 assetId) external view returns (bool);

    /// @notice When `account`'s licence to `assetId` ends (Unix seconds); 0 = never bought; `type(uint64).max` =
    /// perpetual.
    function licenseExpiry(uint256 assetId, address account) external view returns (uint64);

    /// @notice Current terms of `assetId` (all zero when never set). Terms whose `transferCount` differs from the
    /// asset's are lapsed: see {isLicensingOpen}.
    function getTerms(uint256 assetId) external view returns (Terms memory);

    /// @notice Whether licences to `assetId` can be bought now: terms set by its current owner and not closed.
    function isLicensingOpen(uint256 assetId) external view returns (bool);

    /// @notice Governance: sets the protocol fee in basis points (≤ 10 %). Emits {ProtocolFeeSet}.
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Governance: sets the treasury. Emits {TreasurySet}.
    function setTreasury(address treasury) external;

    /// @notice Governance: allows or forbids a payment currency. Emits {CurrencyAllowed}.
    function setCurrencyAllowed(address currency, bool allowed) external;

    /// @notice Current protocol fee in basis points.
    function protocolFeeBps() external view returns (uint16);

    /// @notice Current receiver of protocol fees.
    function treasury() external view returns (address);
}
