// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "./Test.sol";
import {MockERC20} from "./mocks/MockERC20.sol";
import {SoukToken} from "../../src/SoukToken.sol";
import {AgentNFT} from "../../src/AgentNFT.sol";
import {IAgentNFT} from "../../src/interfaces/IAgentNFT.sol";
import {Marketplace} from "../../src/Marketplace.sol";
import {Licenses} from "../../src/Licenses.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {ComputeEscrow} from "../../src/ComputeEscrow.sol";

/// @notice One deployment of every Souk contract, wired as the TypeScript deployment module wires them (minus
/// governance, which GovernanceTest covers): `admin` holds DEFAULT_ADMIN_ROLE, `guardian` PAUSER_ROLE; the
/// ComputeEscrow (compute protocol v2) gives `settler` SETTLER_ROLE and `referee` REFEREE_ROLE, and may slash in
/// the registry.
abstract contract SoukFixture is Test {
    uint256 internal constant SUPPLY = 100_000_000 ether;
    uint256 internal constant MIN_STAKE = 1_000 ether;
    /// @dev Longer than an order's deadline + DISPUTE_PERIOD, so a provider stays slashable for what it signed.
    uint64 internal constant UNBONDING_PERIOD = 10 days;
    uint256 internal constant SLASH_AMOUNT = 100 ether;
    uint64 internal constant DISPUTE_PERIOD = 1 days;
    uint16 internal constant FEE_BPS = 250;
    uint64 internal constant WITHDRAWAL_DELAY = 1 hours;

    address internal admin = makeAddr("admin");
    address internal guardian = makeAddr("guardian");
    address internal treasury = makeAddr("treasury");
    address internal referee = makeAddr("referee");
    address internal settler = makeAddr("settler");
    address internal creator = makeAddr("creator");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    SoukToken internal souk;
    AgentNFT internal nft;
    Marketplace internal market;
    Licenses internal licenses;
    ProviderRegistry internal registry;
    ComputeEscrow internal escrow;
    MockERC20 internal usd;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        souk = new SoukToken(treasury, SUPPLY);
        nft = new AgentNFT();
        market = new Marketplace(nft, admin, guardian, treasury, FEE_BPS);
        licenses = new Licenses(nft, admin, guardian, treasury, FEE_BPS);
        registry = new ProviderRegistry(souk, admin, MIN_STAKE, UNBONDING_PERIOD, treasury);
        escrow = new ComputeEscrow(
            nft,
            registry,
            ComputeEscrow.Config({
                admin: admin,
                guardian: guardian,
                treasury: treasury,
                slashAmount: SLASH_AMOUNT,
                withdrawalDelay: WITHDRAWAL_DELAY,
                disputePeriod: DISPUTE_PERIOD
            })
        );
        usd = new MockERC20();

        vm.startPrank(admin);
        market.setCurrencyAllowed(address(usd), true);
        licenses.setCurrencyAllowed(address(usd), true);
        registry.grantRole(registry.SLASHER_ROLE(), address(escrow));
        escrow.grantRole(escrow.SETTLER_ROLE(), settler);
        escrow.grantRole(escrow.REFEREE_ROLE(), referee);
        escrow.setCurrencyAllowed(address(usd), true);
        vm.stopPrank();
    }

    /// @dev Mints a model as `creator_` with `royaltyBps`, owned by `creator_`.
    function mintModel(address creator_, uint16 royaltyBps) internal returns (uint256 tokenId) {
        vm.prank(creator_);
        tokenId = nft.mint(creator_, "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", IAgentNFT.AssetKind.Model, royaltyBps);
    }

    /// @dev Gives `provider` SOUK and registers it with `stake`.
    function registerProvider(address provider, uint256 stake) internal {
        vm.prank(treasury);
        souk.transfer(provider, stake);
        vm.startPrank(provider);
        souk.approve(address(registry), stake);
        registry.register("ipfs://provider-metadata", stake);
        vm.stopPrank();
    }

    /// @dev A fresh funded, registered provider.
    function newProvider(string memory name) internal returns (address provider) {
        provider = makeAddr(name);
        registerProvider(provider, MIN_STAKE * 2);
    }
}
