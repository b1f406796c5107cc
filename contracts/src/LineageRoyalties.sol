// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {ILineageRoyalties} from "./interfaces/ILineageRoyalties.sol";
import {RoyaltySplit} from "./RoyaltySplit.sol";

/// @title LineageRoyalties
/// @notice Mints derived models with their lineage split ({ILineageRoyalties}): one {RoyaltySplit} clone per model,
/// holding its recipients as immutable clone arguments.
/// @dev Why a clone per model and not one shared splitter: payments to a creator arrive as plain transfers and
/// credits that name no token, so only an address per model can tell whose earnings they are. A clone costs about
/// 45k gas to deploy and nothing to keep; the split it encodes can never be changed, by anyone.
contract LineageRoyalties is ILineageRoyalties {
    /// @inheritdoc ILineageRoyalties
    uint16 public constant MAX_LINEAGE_BPS = 5_000;
    /// @inheritdoc ILineageRoyalties
    uint256 public constant MAX_LINEAGE_RECIPIENTS = 16;

    /// @notice The asset collection.
    IAgentNFT public immutable agentNFT;
    /// @notice The RoyaltySplit every clone runs.
    address public immutable splitImplementation;

    mapping(uint256 tokenId => address split) private _splits;

    /// @param nft The AgentNFT collection.
    constructor(IAgentNFT nft) {
        agentNFT = nft;
        splitImplementation = address(new RoyaltySplit(address(this)));
    }

    /// @inheritdoc ILineageRoyalties
    function mintDerived(
        address to,
        string calldata uri,
        uint16 royaltyBps,
        address[] calldata accounts,
        uint16[] calldata bps
    ) external returns (uint256 tokenId, address split) {
        uint256 n = accounts.length;
        if (n == 0 || n > MAX_LINEAGE_RECIPIENTS || bps.length != n) {
            revert SoukLineageInvalidRecipients(n, bps.length);
        }
        uint256 total;
        for (uint256 i; i < n; ++i) {
            address account = accounts[i];
            if (account == address(0) || bps[i] == 0) revert SoukLineageInvalidRecipient(account, bps[i]);
            for (uint256 j; j < i; ++j) {
                if (accounts[j] == account) revert SoukLineageInvalidRecipient(account, bps[i]);
            }
            total += bps[i];
        }
        if (total > MAX_LINEAGE_BPS) revert SoukLineageShareTooHigh(total, MAX_LINEAGE_BPS);

        split = Clones.cloneWithImmutableArgs(splitImplementation, abi.encode(msg.sender, accounts, bps));
        tokenId = RoyaltySplit(payable(split)).mintFor(agentNFT, to, uri, royaltyBps);
        _splits[tokenId] = split;
        emit DerivedMinted(tokenId, split, msg.sender, accounts, bps);
    }

    /// @inheritdoc ILineageRoyalties
    function splitOf(uint256 tokenId) external view returns (address) {
        return _splits[tokenId];
    }
}
