// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IEvaluations
/// @notice Verified model evaluations on-chain (docs/training.md): an evaluation order's agreed metrics, recorded
/// against the model version it named, with the signed ResultAttestations (EIP-712, the ComputeEscrow's domain) of
/// the providers that agreed on its result. The attestations are checked here: each signer active in the
/// ProviderRegistry and signing this order's result hash. The metrics are the recorder's reading of that result;
/// anyone can check them off-chain by hashing the canonical result ({resultHash}), which the providers signed.
interface IEvaluations {
    /// @notice Metrics of one evaluation, ratios in parts per million (0 … 1,000,000).
    /// @param orderHash The evaluation order (EIP-712 hash of its JobOrder).
    /// @param modelId The model asset evaluated.
    /// @param modelVersion Its version the order named.
    /// @param datasetSha256 SHA-256 of the labelled dataset evaluated on.
    /// @param resultHash The agreed result's hash (SHA-256 of its canonical bytes), which the providers signed.
    /// @param samples Samples evaluated.
    /// @param accuracyPpm Accuracy, ppm.
    /// @param precisionPpm Macro precision (scikit-learn, zero_division = 0), ppm.
    /// @param recallPpm Macro recall, ppm.
    /// @param f1Ppm Macro F1, ppm.
    struct Evaluation {
        bytes32 orderHash;
        uint256 modelId;
        uint32 modelVersion;
        bytes32 datasetSha256;
        bytes32 resultHash;
        uint32 samples;
        uint32 accuracyPpm;
        uint32 precisionPpm;
        uint32 recallPpm;
        uint32 f1Ppm;
    }

    /// @notice Thrown when an order's evaluation is already recorded.
    error SoukEvaluationRecorded(bytes32 orderHash);
    /// @notice Thrown when no providers are given, or the providers and signatures differ in number.
    error SoukEvaluationNoAttestations(uint256 providers, uint256 signatures);
    /// @notice Thrown when a provider is not active in the registry, is named twice, or did not sign the result.
    error SoukEvaluationBadAttestation(address provider);
    /// @notice Thrown when a ratio is above 1,000,000 ppm.
    error SoukEvaluationBadMetric(uint256 ppm);

    /// @notice An evaluation was recorded.
    /// @param orderHash The evaluation order.
    /// @param modelId The model evaluated.
    /// @param evaluation Everything recorded.
    /// @param providers The providers whose attestations were checked.
    event EvaluationRecorded(
        bytes32 indexed orderHash, uint256 indexed modelId, Evaluation evaluation, address[] providers
    );

    /// @notice Records an agreed evaluation; only RECORDER_ROLE (the node's operator).
    /// @dev Reverts {SoukEvaluationRecorded}, {SoukEvaluationNoAttestations}, {SoukEvaluationBadAttestation},
    /// {SoukEvaluationBadMetric}, `AccessControlUnauthorizedAccount`. Emits {EvaluationRecorded}.
    /// @param evaluation The metrics and what they are of.
    /// @param providers The providers whose attestations agreed (1–16, distinct).
    /// @param signatures Each provider's ResultAttestation signature of (`orderHash`, `resultHash`).
    function record(Evaluation calldata evaluation, address[] calldata providers, bytes[] calldata signatures)
        external;

    /// @notice One recorded evaluation (all zero when none) and its attesting providers.
    function evaluationOf(bytes32 orderHash) external view returns (Evaluation memory, address[] memory providers);

    /// @notice Orders whose evaluations of `modelId` are recorded, oldest first.
    function evaluationsOfModel(uint256 modelId) external view returns (bytes32[] memory);
}
