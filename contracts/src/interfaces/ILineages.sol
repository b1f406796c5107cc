// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILineages
/// @notice The lineage of trained models on-chain (docs/training.md): for a model version minted from the market's
/// training jobs, what it was trained from — the recipe (parent) asset and version, the datasets, the training jobs
/// with the signed ResultAttestations (EIP-712, the ComputeEscrow's domain) of the providers that verified them, the
/// trained weights' hash and the hash of its hyper-parameters. The record is bound to the exact manifest of that
/// version (its URI must be the one the AgentNFT holds) and checked here: every signer active in the
/// ProviderRegistry and signing its job's result hash; every dataset asset a dataset. The rest is the recorder's
/// reading of the manifest, which anyone can check off-chain against the manifest's own `lineage`
/// (`lineageHash` is its SHA-256).
interface ILineages {
    /// @notice What a model version was trained from.
    /// @param assetId The trained model (AgentNFT token id).
    /// @param version Its version the lineage is of (0: the mint).
    /// @param manifestUri The version's URI, `ipfs://<manifest CID>`: must equal `AgentNFT.versionURI(assetId, version)`.
    /// @param recipeId The parent: the training recipe (or model) asset the jobs ran.
    /// @param recipeVersion The parent's version the jobs ran.
    /// @param weightsHash SHA-256 of the trained weights (little-endian float32), as the providers' results state.
    /// @param hyperparametersHash SHA-256 of the canonical JSON of the template and hyper-parameters.
    /// @param lineageHash SHA-256 of the canonical JSON of the manifest's `lineage`.
    struct Lineage {
        uint256 assetId;
        uint32 version;
        string manifestUri;
        uint256 recipeId;
        uint32 recipeVersion;
        bytes32 weightsHash;
        bytes32 hyperparametersHash;
        bytes32 lineageHash;
    }

    /// @notice One dataset a model was trained on.
    /// @param assetId The dataset asset (its licence), or 0 for data the requester supplied inline.
    /// @param sha256 SHA-256 of the dataset's bytes.
    struct DatasetUse {
        uint256 assetId;
        bytes32 sha256;
    }

    /// @notice One training job and its verification.
    /// @param orderHash The job (EIP-712 hash of its JobOrder).
    /// @param resultHash The agreed result's hash, which the providers signed.
    /// @param providers The providers whose attestations agreed (1–16, distinct).
    /// @param signatures Each provider's ResultAttestation signature of (`orderHash`, `resultHash`).
    struct TrainingJob {
        bytes32 orderHash;
        bytes32 resultHash;
        address[] providers;
        bytes[] signatures;
    }

    /// @notice Thrown when the version's lineage is already recorded.
    error SoukLineageRecorded(uint256 assetId, uint32 version);
    /// @notice Thrown when `manifestUri` is not the URI the AgentNFT holds for that version (or it has no such version).
    error SoukLineageWrongManifest(uint256 assetId, uint32 version);
    /// @notice Thrown when no jobs are given, or more than MAX_JOBS; or more than MAX_DATASETS datasets.
    error SoukLineageBadSize(uint256 jobs, uint256 datasets);
    /// @notice Thrown when a job has no providers, more than MAX_PROVIDERS, or a different number of signatures.
    error SoukLineageNoAttestations(bytes32 orderHash, uint256 providers, uint256 signatures);
    /// @notice Thrown when a provider is not active, is named twice in a job, or did not sign the job's result.
    error SoukLineageBadAttestation(bytes32 orderHash, address provider);
    /// @notice Thrown when a job is named twice.
    error SoukLineageDuplicateJob(bytes32 orderHash);
    /// @notice Thrown when a dataset's asset is not a dataset.
    error SoukLineageNotADataset(uint256 assetId);

    /// @notice A model version's lineage was recorded.
    /// @param assetId The trained model.
    /// @param version Its version.
    /// @param recipeId The parent asset.
    /// @param lineage Everything recorded about it.
    /// @param datasets The datasets, in the manifest's order.
    /// @param jobs The training jobs (order hashes), in the manifest's order.
    event LineageRecorded(
        uint256 indexed assetId,
        uint32 indexed version,
        uint256 indexed recipeId,
        Lineage lineage,
        DatasetUse[] datasets,
        bytes32[] jobs
    );

    /// @notice Records a model version's lineage; only RECORDER_ROLE (the node's operator).
    /// @dev Reverts {SoukLineageRecorded}, {SoukLineageWrongManifest}, {SoukLineageBadSize},
    /// {SoukLineageDuplicateJob}, {SoukLineageNoAttestations}, {SoukLineageBadAttestation},
    /// {SoukLineageNotADataset},
    /// `AccessControlUnauthorizedAccount`. Emits {LineageRecorded}.
    /// @param lineage The model version and what it was trained from.
    /// @param datasets The datasets (0–MAX_DATASETS).
    /// @param jobs The training jobs with their attestations (1–MAX_JOBS; a federated run: every round's updates).
    function record(Lineage calldata lineage, DatasetUse[] calldata datasets, TrainingJob[] calldata jobs) external;

    /// @notice A version's recorded lineage (all zero when none), its datasets and its jobs' order hashes.
    function lineageOf(uint256 assetId, uint32 version)
        external
        view
        returns (Lineage memory lineage, DatasetUse[] memory datasets, bytes32[] memory jobs);

    /// @notice The providers whose attestations of a recorded job were checked (empty when none).
    function providersOf(bytes32 orderHash) external view returns (address[] memory);

    /// @notice The model versions trained on dataset `datasetId` whose lineage is recorded, as `(assetId << 32) | version`.
    function trainedOn(uint256 datasetId) external view returns (uint256[] memory);
}
