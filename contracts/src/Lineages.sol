// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAgentNFT} from "./interfaces/IAgentNFT.sol";
import {IComputeEscrow} from "./interfaces/IComputeEscrow.sol";
import {ILineages} from "./interfaces/ILineages.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @title Lineages
/// @notice Trained models' lineage, recorded with the signed attestations of the training jobs ({ILineages}).
/// @dev Like Evaluations, separate from ComputeEscrow (at the EIP-170 size limit; settlement never reads lineage),
/// with the same signature check: OpenZeppelin's SignatureChecker (ECDSA, or EIP-1271) over the escrow's own
/// attestation digest, so the signature that settled a job also backs the lineage. The version's manifest URI is
/// compared with the AgentNFT's, so a lineage cannot be attached to another version than the one it describes.
contract Lineages is ILineages, AccessControl {
    /// @notice May record lineages: the node's operator.
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");
    /// @notice Most attesting providers per job.
    uint256 public constant MAX_PROVIDERS = 16;
    /// @notice Most training jobs per lineage (a federated run of 64 shards × 1 round, or 8 × 8 …).
    uint256 public constant MAX_JOBS = 64;
    /// @notice Most datasets per lineage.
    uint256 public constant MAX_DATASETS = 64;

    /// @notice Whose attestation digest the signatures are over.
    IComputeEscrow public immutable escrow;
    /// @notice Where the signers must be active providers.
    IProviderRegistry public immutable registry;
    /// @notice Whose versions the lineages are of.
    IAgentNFT public immutable nft;

    mapping(uint256 key => Lineage) private _lineages;
    mapping(uint256 key => DatasetUse[]) private _datasets;
    mapping(uint256 key => bytes32[]) private _jobs;
    mapping(bytes32 orderHash => address[]) private _providers;
    mapping(uint256 datasetId => uint256[]) private _trainedOn;

    /// @param escrow_ The ComputeEscrow.
    /// @param registry_ The ProviderRegistry.
    /// @param nft_ The AgentNFT.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants RECORDER_ROLE).
    constructor(IComputeEscrow escrow_, IProviderRegistry registry_, IAgentNFT nft_, address admin) {
        escrow = escrow_;
        registry = registry_;
        nft = nft_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ILineages
    function record(Lineage calldata lineage, DatasetUse[] calldata datasets, TrainingJob[] calldata jobs)
        external
        onlyRole(RECORDER_ROLE)
    {
        uint256 key = _key(lineage.assetId, lineage.version);
        if (bytes(_lineages[key].manifestUri).length != 0) revert SoukLineageRecorded(lineage.assetId, lineage.version);
        if (jobs.length == 0 || jobs.length > MAX_JOBS || datasets.length > MAX_DATASETS) {
            revert SoukLineageBadSize(jobs.length, datasets.length);
        }
        _checkManifest(lineage);
        for (uint256 i; i < datasets.length; ++i) {
            uint256 datasetId = datasets[i].assetId;
            if (datasetId == 0) continue;
            if (nft.kindOf(datasetId) != IAgentNFT.AssetKind.Dataset) revert SoukLineageNotADataset(datasetId);
        }
        bytes32[] storage jobHashes = _jobs[key];
        for (uint256 i; i < jobs.length; ++i) {
            for (uint256 j; j < i; ++j) {
                if (jobs[j].orderHash == jobs[i].orderHash) revert SoukLineageDuplicateJob(jobs[i].orderHash);
            }
            _checkJob(jobs[i]);
            jobHashes.push(jobs[i].orderHash);
            // A job backs every model published from it (the same providers signed it each time).
            _providers[jobs[i].orderHash] = jobs[i].providers;
        }
        _lineages[key] = lineage;
        DatasetUse[] storage stored = _datasets[key];
        for (uint256 i; i < datasets.length; ++i) {
            stored.push(datasets[i]);
            if (datasets[i].assetId != 0) _trainedOn[datasets[i].assetId].push(key);
        }
        emit LineageRecorded(lineage.assetId, lineage.version, lineage.recipeId, lineage, datasets, jobHashes);
    }

    /// @inheritdoc ILineages
    function lineageOf(uint256 assetId, uint32 version)
        external
        view
        returns (Lineage memory lineage, DatasetUse[] memory datasets, bytes32[] memory jobs)
    {
        uint256 key = _key(assetId, version);
        return (_lineages[key], _datasets[key], _jobs[key]);
    }

    /// @inheritdoc ILineages
    function providersOf(bytes32 orderHash) external view returns (address[] memory) {
        return _providers[orderHash];
    }

    /// @inheritdoc ILineages
    function trainedOn(uint256 datasetId) external view returns (uint256[] memory) {
        return _trainedOn[datasetId];
    }

    /// @dev `(assetId << 32) | version`: one word per version (token ids are sequential, far below 2^224).
    function _key(uint256 assetId, uint32 version) private pure returns (uint256) {
        return (assetId << 32) | version;
    }

    /// @dev The lineage's manifest must be the version's on the AgentNFT (which reverts for an unknown token).
    function _checkManifest(Lineage calldata lineage) private view {
        if (lineage.version >= nft.versionCount(lineage.assetId)) {
            revert SoukLineageWrongManifest(lineage.assetId, lineage.version);
        }
        string memory held = nft.versionURI(lineage.assetId, lineage.version);
        if (keccak256(bytes(held)) != keccak256(bytes(lineage.manifestUri)) || bytes(held).length == 0) {
            revert SoukLineageWrongManifest(lineage.assetId, lineage.version);
        }
    }

    /// @dev Each provider distinct, active, and signing (orderHash, resultHash) in the escrow's domain.
    function _checkJob(TrainingJob calldata job) private view {
        uint256 n = job.providers.length;
        if (n == 0 || n > MAX_PROVIDERS || job.signatures.length != n) {
            revert SoukLineageNoAttestations(job.orderHash, n, job.signatures.length);
        }
        bytes32 digest = escrow.hashAttestation(job.orderHash, job.resultHash);
        for (uint256 i; i < n; ++i) {
            address provider = job.providers[i];
            for (uint256 j; j < i; ++j) {
                if (job.providers[j] == provider) revert SoukLineageBadAttestation(job.orderHash, provider);
            }
            if (!registry.isActive(provider) || !SignatureChecker.isValidSignatureNow(provider, digest, job.signatures[i]))
            {
                revert SoukLineageBadAttestation(job.orderHash, provider);
            }
        }
    }
}
