// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {IPayouts} from "./interfaces/IPayouts.sol";
import {Payouts} from "./utils/Payouts.sol";

/// @title RoyaltySplit
/// @notice The creator of one derived model (see {ILineageRoyalties}): receives its creator earnings in any currency
/// and splits them between its lineage and its creator. Each {distribute} pays recipient `i`
/// `floor(amount * bps[i] / 10_000)` and the creator `amount` minus those shares, so every wei goes somewhere and a
/// recipient never gets more than its share (rounding favours the creator, by less than one wei per recipient).
/// @dev Deployed by LineageRoyalties as an EIP-1167 clone with immutable arguments (OpenZeppelin `Clones`):
/// `abi.encode(creator, accounts, bps)`, so a split's recipients can never change. Payments pushed here
/// (Marketplace and Licenses royalties) need a cheap `receive`; credits held elsewhere (ComputeEscrow's creator
/// share) are pulled with {collect}. Anyone may call {distribute} and {collect}: the money only ever goes to the
/// fixed recipients. A recipient whose push fails is credited instead ({Payouts}), and pulls with
/// {withdrawCredits}; credits are held apart from what is distributed next.
contract RoyaltySplit is Payouts, ReentrancyGuardTransient {
    /// @notice The LineageRoyalties factory: the only caller of {mintFor}.
    address public immutable factory;

    /// @notice Thrown when anyone but the factory asks the split to mint.
    error SoukNotFactory(address caller);

    /// @notice A payment was split.
    /// @param currency `address(0)` native, else the ERC-20.
    /// @param amount What was split, wei of `currency`.
    /// @param creatorShare What the creator got (the remainder), wei.
    event Distributed(address indexed currency, uint256 amount, uint256 creatorShare);

    /// @param factory_ The LineageRoyalties deploying the clones.
    constructor(address factory_) {
        factory = factory_;
    }

    /// @notice Accepts native payments (royalty pushes forward at most 50,000 gas: nothing else happens here).
    receive() external payable {}

    /// @notice Mints the derived model with this split as its creator; only the factory, once per split (the
    /// factory calls it right after deploying the clone).
    /// @return tokenId The new AgentNFT token.
    function mintFor(IAgentNFT nft, address to, string calldata uri, uint16 royaltyBps)
        external
        returns (uint256 tokenId)
    {
        if (msg.sender != factory) revert SoukNotFactory(msg.sender);
        return nft.mint(to, uri, IAgentNFT.AssetKind.Model, royaltyBps);
    }

    /// @notice The split's creator (who gets the remainder), lineage recipients and their basis points.
    function recipients() public view returns (address creator, address[] memory accounts, uint16[] memory bps) {
        return abi.decode(Clones.fetchCloneArgs(address(this)), (address, address[], uint16[]));
    }

    /// @notice What {distribute} would split now: the balance of `currency` less the credits held for recipients
    /// whose push failed, wei.
    function distributable(address currency) public view returns (uint256) {
        uint256 balance = currency == NATIVE ? address(this).balance : IERC20(currency).balanceOf(address(this));
        return balance - this.totalCredits(currency);
    }

    /// @notice Splits everything distributable in `currency`: `floor(amount * bps[i] / 10_000)` to each lineage
    /// recipient, the remainder to the creator. Pushes each share; a failed push is credited ({withdrawCredits}).
    /// @dev Emits {Distributed} (nothing when there is nothing to split).
    /// @param currency `address(0)` native, else a plain ERC-20 (fee-on-transfer tokens are not supported).
    /// @return amount What was split, wei.
    function distribute(address currency) public nonReentrant returns (uint256 amount) {
        amount = distributable(currency);
        if (amount == 0) return 0;
        (address creator, address[] memory accounts, uint16[] memory bps) = recipients();
        uint256 paid;
        for (uint256 i; i < accounts.length; ++i) {
            uint256 share = amount * bps[i] / 10_000;
            paid += share;
            _pay(currency, accounts[i], share);
        }
        // Cannot underflow: the shares add up to at most MAX_LINEAGE_BPS (50 %) of `amount`, each rounded down.
        unchecked {
            _pay(currency, creator, amount - paid);
            emit Distributed(currency, amount, amount - paid);
        }
    }

    /// @notice Pulls this split's credits from a Souk payer (ComputeEscrow's creator share, or a royalty a push
    /// could not deliver) and distributes everything distributable in `currency`.
    /// @dev Reverts what `withdrawCredits` reverts (e.g. `SoukNothingToWithdraw`).
    /// @param payer The contract holding the credits (ComputeEscrow, Marketplace, Licenses).
    /// @param currency The currency.
    /// @return amount What was split, wei.
    function collect(IPayouts payer, address currency) external returns (uint256 amount) {
        payer.withdrawCredits(currency, address(this));
        return distribute(currency);
    }
}
