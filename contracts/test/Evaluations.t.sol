// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {EscrowSigning} from "./ComputeEscrow.t.sol";
import {Evaluations} from "../src/Evaluations.sol";
import {IEvaluations} from "../src/interfaces/IEvaluations.sol";

/// @notice Evaluations are recorded only by the recorder, only with active providers' signatures of the order's
/// result, once, with ratios in range.
contract EvaluationsTest is EscrowSigning {
    uint256 internal constant P1_KEY = 0xB0B1;
    uint256 internal constant P2_KEY = 0xB0B2;
    uint256 internal constant STRANGER_KEY = 0xBAD;
    bytes32 internal constant ORDER = keccak256("evaluation order");

    Evaluations internal evaluations;
    address internal recorder = makeAddr("recorder");

    function setUp() public override {
        super.setUp();
        evaluations = new Evaluations(escrow, registry, admin);
        bytes32 role = evaluations.RECORDER_ROLE();
        vm.prank(admin);
        evaluations.grantRole(role, recorder);
        registerProvider(vm.addr(P1_KEY), MIN_STAKE);
        registerProvider(vm.addr(P2_KEY), MIN_STAKE);
    }

    function _evaluation() internal pure returns (IEvaluations.Evaluation memory) {
        return IEvaluations.Evaluation({
            orderHash: ORDER,
            modelId: 7,
            modelVersion: 1,
            datasetSha256: keccak256("dataset"),
            resultHash: RESULT,
            samples: 100,
            accuracyPpm: 968_000,
            precisionPpm: 970_100,
            recallPpm: 968_000,
            f1Ppm: 967_500
        });
    }

    function _signed(uint256[] memory keys, bytes32 result)
        internal
        view
        returns (address[] memory providers, bytes[] memory signatures)
    {
        providers = new address[](keys.length);
        signatures = new bytes[](keys.length);
        bytes32 digest = escrow.hashAttestation(ORDER, result);
        for (uint256 i; i < keys.length; ++i) {
            providers[i] = vm.addr(keys[i]);
            signatures[i] = _sig(keys[i], digest);
        }
    }

    function _two() internal pure returns (uint256[] memory keys) {
        keys = new uint256[](2);
        (keys[0], keys[1]) = (P1_KEY, P2_KEY);
    }

    function test_record_storesTheEvaluationWithItsProviders() public {
        (address[] memory providers, bytes[] memory signatures) = _signed(_two(), RESULT);
        vm.prank(recorder);
        evaluations.record(_evaluation(), providers, signatures);
        (IEvaluations.Evaluation memory e, address[] memory stored) = evaluations.evaluationOf(ORDER);
        assertEq(e.accuracyPpm, 968_000, "accuracy");
        assertEq(e.modelId, 7, "model");
        assertEq(stored[1], vm.addr(P2_KEY), "providers");
        assertEq(evaluations.evaluationsOfModel(7)[0], ORDER, "by model");
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.SoukEvaluationRecorded.selector, ORDER));
        evaluations.record(_evaluation(), providers, signatures);
    }

    function test_record_refusesAnyoneButTheRecorder() public {
        (address[] memory providers, bytes[] memory signatures) = _signed(_two(), RESULT);
        bytes32 role = evaluations.RECORDER_ROLE();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        evaluations.record(_evaluation(), providers, signatures);
    }

    function test_record_refusesASignatureOfAnotherResult() public {
        (address[] memory providers, bytes[] memory signatures) = _signed(_two(), WRONG);
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.SoukEvaluationBadAttestation.selector, vm.addr(P1_KEY)));
        evaluations.record(_evaluation(), providers, signatures);
    }

    function test_record_refusesAnUnregisteredSigner() public {
        uint256[] memory keys = new uint256[](1);
        keys[0] = STRANGER_KEY;
        (address[] memory providers, bytes[] memory signatures) = _signed(keys, RESULT);
        vm.prank(recorder);
        vm.expectRevert(
            abi.encodeWithSelector(IEvaluations.SoukEvaluationBadAttestation.selector, vm.addr(STRANGER_KEY))
        );
        evaluations.record(_evaluation(), providers, signatures);
    }

    function test_record_refusesADuplicateProviderNoSignaturesAndBadRatios() public {
        (address[] memory providers, bytes[] memory signatures) = _signed(_two(), RESULT);
        providers[1] = providers[0];
        signatures[1] = signatures[0];
        vm.startPrank(recorder);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.SoukEvaluationBadAttestation.selector, providers[0]));
        evaluations.record(_evaluation(), providers, signatures);
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.SoukEvaluationNoAttestations.selector, 0, 0));
        evaluations.record(_evaluation(), new address[](0), new bytes[](0));
        (providers, signatures) = _signed(_two(), RESULT);
        IEvaluations.Evaluation memory e = _evaluation();
        e.f1Ppm = 1_000_001;
        vm.expectRevert(abi.encodeWithSelector(IEvaluations.SoukEvaluationBadMetric.selector, 1_000_001));
        evaluations.record(e, providers, signatures);
        vm.stopPrank();
    }

    /// @notice Property: whatever the metrics, a record holds exactly what was recorded, under its order.
    function test_fuzz_record_roundTrips(uint32 accuracy, uint32 f1, uint256 modelId) public {
        accuracy = uint32(bound(accuracy, 0, 1_000_000));
        f1 = uint32(bound(f1, 0, 1_000_000));
        IEvaluations.Evaluation memory e = _evaluation();
        (e.accuracyPpm, e.f1Ppm, e.modelId) = (accuracy, f1, modelId);
        (address[] memory providers, bytes[] memory signatures) = _signed(_two(), RESULT);
        vm.prank(recorder);
        evaluations.record(e, providers, signatures);
        (IEvaluations.Evaluation memory stored,) = evaluations.evaluationOf(ORDER);
        assertEq(stored.accuracyPpm, accuracy, "accuracy");
        assertEq(stored.f1Ppm, f1, "f1");
        assertEq(evaluations.evaluationsOfModel(modelId).length, 1, "listed under its model");
    }
}
