// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {ILicenses} from "./interfaces/ILicenses.sol";
import {Governed} from "./utils/Governed.sol";
import {Payouts} from "./utils/Payouts.sol";

/// @title Licenses
/// @notice Access licences to Souk assets, recorded as `expiry[assetId][account]`.
/// @dev Why a mapping and not ERC-1155 (Ocean's datatokens are ERC-20s): a licence is a right of one account to
/// one asset until a time. ERC-1155 balances carry no expiry (a time-bound licence would need a token id per period
/// or off-chain bookkeeping), and their transferability turns a licence into something to resell or share, which
/// the licensor did not sell; a datatoken also has to be spent or held, which made Ocean's access checks depend on
/// balances that move. A mapping gives the gateway one SLOAD per check, extends cleanly when a licence is renewed,
/// and costs one storage slot per licence. Licence lifecycle: none → active (purchase) → active (renewal extends
/// by one duration) → expired (time passes; a new purchase starts again from now). Perpetual licences never expire.
contract Licenses is ILicenses, Governed, Payouts, ReentrancyGuardTransient {
    /// @notice Highest protocol fee governance may set, in basis points (10 %).
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice Highest royalty paid on a licence whatever `royaltyInfo` says, in basis points (10 %).
    uint16 public constant MAX_ROYALTY_BPS = 1_000;
    /// @notice Expiry value that means "never expires".
    uint64 public constant PERPETUAL = type(uint64).max;

    /// @notice The asset collection licensed here.
    IAgentNFT public immutable agentNFT;

    mapping(uint256 assetId => mapping(Usage usage => Terms)) private _terms;
    mapping(uint256 assetId => mapping(Usage usage => mapping(address account => uint64 expiresAt))) private _expiries;
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

    /// @inheritdoc ILicenses
    function setTerms(uint256 assetId, address currency, uint256 price, uint64 duration) external whenNotPaused {
        _setTerms(assetId, Usage.Access, currency, price, duration);
        emit TermsSet(assetId, currency, price, duration);
    }

    /// @inheritdoc ILicenses
    function setTrainingTerms(uint256 assetId, address currency, uint256 price, uint64 duration)
        external
        whenNotPaused
    {
        _setTerms(assetId, Usage.Training, currency, price, duration);
        emit TrainingTermsSet(assetId, currency, price, duration);
    }

    /// @dev Checks and stores the terms of one usage; the caller emits its event.
    function _setTerms(uint256 assetId, Usage usage, address currency, uint256 price, uint64 duration) private {
        _requireAssetOwner(assetId);
        if (!isCurrencyAllowed(currency)) revert SoukCurrencyNotAllowed(currency);
        if (price > type(uint96).max) revert SoukInvalidPrice(price);
        _terms[assetId][usage] = Terms({
            currency: currency,
            // forge-lint: disable-next-line(unsafe-typecast) -- checked above: price ≤ type(uint96).max
            price: uint96(price),
            duration: duration,
            active: true,
            transferCount: agentNFT.transferCount(assetId)
        });
    }

    /// @inheritdoc ILicenses
    function closeLicensing(uint256 assetId) external {
        _requireAssetOwner(assetId);
        _terms[assetId][Usage.Access].active = false;
        _terms[assetId][Usage.Training].active = false;
        emit LicensingClosed(assetId);
    }

    /// @inheritdoc ILicenses
    function purchaseLicense(uint256 assetId, address licensee)
        external
        payable
        whenNotPaused
        nonReentrant
        returns (uint64)
    {
        return _purchase(assetId, licensee, Usage.Access, _terms[assetId][Usage.Access]);
    }

    /// @inheritdoc ILicenses
    function purchaseLicenseAt(
        uint256 assetId,
        address licensee,
        address expectedCurrency,
        uint256 expectedPrice,
        uint64 expectedDuration
    ) external payable whenNotPaused nonReentrant returns (uint64) {
        return _purchaseAt(assetId, licensee, Usage.Access, expectedCurrency, expectedPrice, expectedDuration);
    }

    /// @inheritdoc ILicenses
    function purchaseTrainingLicenseAt(
        uint256 assetId,
        address licensee,
        address expectedCurrency,
        uint256 expectedPrice,
        uint64 expectedDuration
    ) external payable whenNotPaused nonReentrant returns (uint64) {
        return _purchaseAt(assetId, licensee, Usage.Training, expectedCurrency, expectedPrice, expectedDuration);
    }

    /// @inheritdoc ILicenses
    function hasAccess(address account, uint256 assetId) external view returns (bool) {
        return _holds(account, assetId, Usage.Access);
    }

    /// @inheritdoc ILicenses
    function canTrain(address account, uint256 assetId) external view returns (bool) {
        return _holds(account, assetId, Usage.Training);
    }

    /// @inheritdoc ILicenses
    function licenseExpiry(uint256 assetId, address account) external view returns (uint64) {
        return _expiries[assetId][Usage.Access][account];
    }

    /// @inheritdoc ILicenses
    function trainingLicenseExpiry(uint256 assetId, address account) external view returns (uint64) {
        return _expiries[assetId][Usage.Training][account];
    }

    /// @inheritdoc ILicenses
    function getTerms(uint256 assetId) external view returns (Terms memory) {
        return _terms[assetId][Usage.Access];
    }

    /// @inheritdoc ILicenses
    function getTrainingTerms(uint256 assetId) external view returns (Terms memory) {
        return _terms[assetId][Usage.Training];
    }

    /// @inheritdoc ILicenses
    function setProtocolFee(uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProtocolFee(feeBps);
    }

    /// @inheritdoc ILicenses
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc ILicenses
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCurrencyAllowed(currency, allowed);
    }

    /// @inheritdoc ILicenses
    function isLicensingOpen(uint256 assetId) external view returns (bool) {
        return _isOpen(assetId, _terms[assetId][Usage.Access]);
    }

    /// @inheritdoc ILicenses
    function isTrainingLicensingOpen(uint256 assetId) external view returns (bool) {
        return _isOpen(assetId, _terms[assetId][Usage.Training]);
    }

    /// @inheritdoc ILicenses
    function protocolFeeBps() external view returns (uint16) {
        return _protocolFeeBps;
    }

    /// @inheritdoc ILicenses
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @dev Whether `account` holds an unexpired licence of `usage`, or owns the asset (false when it does not exist).
    function _holds(address account, uint256 assetId, Usage usage) private view returns (bool) {
        if (_expiries[assetId][usage][account] > block.timestamp) return true;
        try agentNFT.ownerOf(assetId) returns (address owner) {
            return owner == account;
        } catch {
            return false;
        }
    }

    /// @dev Terms are open when active and set by the asset's current owner (no transfer since).
    function _isOpen(uint256 assetId, Terms memory terms) private view returns (bool) {
        return terms.active && agentNFT.transferCount(assetId) == terms.transferCount;
    }

    /// @dev {purchaseLicenseAt} for either usage: the terms must be the ones the buyer saw.
    function _purchaseAt(
        uint256 assetId,
        address licensee,
        Usage usage,
        address expectedCurrency,
        uint256 expectedPrice,
        uint64 expectedDuration
    ) private returns (uint64) {
        Terms memory terms = _terms[assetId][usage];
        if (terms.currency != expectedCurrency) revert SoukCurrencyMismatch(assetId, expectedCurrency, terms.currency);
        if (terms.price != expectedPrice) revert SoukPriceMismatch(assetId, expectedPrice, terms.price);
        if (terms.duration != expectedDuration) revert SoukDurationMismatch(assetId, expectedDuration, terms.duration);
        return _purchase(assetId, licensee, usage, terms);
    }

    /// @dev Records the licence, then pays creator royalty, fee and owner (checks → effects → interactions).
    /// The currency must still be allowed: governance can delist a currency and stop its use at once.
    function _purchase(uint256 assetId, address licensee, Usage usage, Terms memory terms)
        private
        returns (uint64 expiresAt)
    {
        if (!_isOpen(assetId, terms)) revert SoukLicensingClosed(assetId);
        if (licensee == address(0)) revert SoukZeroAddress();
        address owner = agentNFT.ownerOf(assetId);
        (address creator, uint256 royalty) = agentNFT.royaltyInfo(assetId, terms.price);
        uint256 maxRoyalty = uint256(terms.price) * MAX_ROYALTY_BPS / 10_000;
        if (royalty > maxRoyalty) royalty = maxRoyalty;

        uint64 current = _expiries[assetId][usage][licensee];
        if (terms.duration == 0 || current == PERPETUAL) {
            expiresAt = PERPETUAL;
        } else {
            uint256 start = current > block.timestamp ? current : block.timestamp;
            uint256 end = start + terms.duration;
            // forge-lint: disable-next-line(unsafe-typecast) -- end < PERPETUAL = type(uint64).max on this branch
            expiresAt = end >= PERPETUAL ? PERPETUAL - 1 : uint64(end);
        }
        _expiries[assetId][usage][licensee] = expiresAt;

        uint256 fee = uint256(terms.price) * _protocolFeeBps / 10_000;
        if (usage == Usage.Access) {
            emit LicensePurchased(assetId, msg.sender, licensee, terms.currency, terms.price, royalty, fee, expiresAt);
        } else {
            emit TrainingLicensePurchased(
                assetId, msg.sender, licensee, terms.currency, terms.price, royalty, fee, expiresAt
            );
        }

        _collect(terms.currency, msg.sender, terms.price);
        _pay(terms.currency, creator, royalty);
        _pay(terms.currency, _treasury, fee);
        // Cannot underflow: royalty ≤ 10 % (capped above) and fee ≤ 10 % of the price.
        unchecked {
            _pay(terms.currency, owner, terms.price - royalty - fee);
        }
    }

    function _requireAssetOwner(uint256 assetId) private view {
        if (agentNFT.ownerOf(assetId) != msg.sender) revert SoukNotAssetOwner(msg.sender, assetId);
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
