// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IComputeEscrow} from "./interfaces/IComputeEscrow.sol";
import {IEvaluations} from "./interfaces/IEvaluations.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @title Evaluations
/// @notice Verified model evaluations, recorded with their providers' signed attestations ({IEvaluations}).
/// @dev Separate from ComputeEscrow (which is at the EIP-170 size limit, and whose settlement never needs to read
/// metrics): the escrow pays for an evaluation order like any order; this contract only keeps the model card's
/// evidence. Signatures are checked with OpenZeppelin's SignatureChecker (ECDSA, or EIP-1271 for contract providers)
/// over the ComputeEscrow's own attestation digest, so one signature serves settlement and the record.
contract Evaluations is IEvaluations, AccessControl {
    /// @notice May record evaluations: the node's operator.
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");
    /// @notice Most attesting providers per record.
    uint256 public constant MAX_PROVIDERS = 16;
    uint32 private constant PPM = 1_000_000;

    /// @notice Whose attestation digest the signatures are over.
    IComputeEscrow public immutable escrow;
    /// @notice Where the signers must be active providers.
    IProviderRegistry public immutable registry;

    mapping(bytes32 orderHash => Evaluation) private _evaluations;
    mapping(bytes32 orderHash => address[]) private _providers;
    mapping(uint256 modelId => bytes32[]) private _byModel;

    /// @param escrow_ The ComputeEscrow.
    /// @param registry_ The ProviderRegistry.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants RECORDER_ROLE).
    constructor(IComputeEscrow escrow_, IProviderRegistry registry_, address admin) {
        escrow = escrow_;
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IEvaluations
    function record(Evaluation calldata evaluation, address[] calldata providers, bytes[] calldata signatures)
        external
        onlyRole(RECORDER_ROLE)
    {
        bytes32 orderHash = evaluation.orderHash;
        if (_evaluations[orderHash].orderHash != bytes32(0)) revert SoukEvaluationRecorded(orderHash);
        uint256 n = providers.length;
        if (n == 0 || n > MAX_PROVIDERS || signatures.length != n) {
            revert SoukEvaluationNoAttestations(n, signatures.length);
        }
        uint32[4] memory metrics =
            [evaluation.accuracyPpm, evaluation.precisionPpm, evaluation.recallPpm, evaluation.f1Ppm];
        for (uint256 i; i < 4; ++i) {
            if (metrics[i] > PPM) revert SoukEvaluationBadMetric(metrics[i]);
        }
        bytes32 digest = escrow.hashAttestation(orderHash, evaluation.resultHash);
        for (uint256 i; i < n; ++i) {
            address provider = providers[i];
            for (uint256 j; j < i; ++j) {
                if (providers[j] == provider) revert SoukEvaluationBadAttestation(provider);
            }
            if (!registry.isActive(provider) || !SignatureChecker.isValidSignatureNow(provider, digest, signatures[i]))
            {
                revert SoukEvaluationBadAttestation(provider);
            }
        }
        _evaluations[orderHash] = evaluation;
        _providers[orderHash] = providers;
        _byModel[evaluation.modelId].push(orderHash);
        emit EvaluationRecorded(orderHash, evaluation.modelId, evaluation, providers);
    }

    /// @inheritdoc IEvaluations
    function evaluationOf(bytes32 orderHash) external view returns (Evaluation memory, address[] memory) {
        return (_evaluations[orderHash], _providers[orderHash]);
    }

    /// @inheritdoc IEvaluations
    function evaluationsOfModel(uint256 modelId) external view returns (bytes32[] memory) {
        return _byModel[modelId];
    }
}
