// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {EscrowSigning} from "./ComputeEscrow.t.sol";
import {Lineages} from "../src/Lineages.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";
import {ILineages} from "../src/interfaces/ILineages.sol";

/// @notice A lineage is recorded only by the recorder, only for the manifest the AgentNFT holds for that version,
/// only with active providers' signatures of each training job's result, only naming datasets that are datasets,
/// and once per version.
contract LineagesTest is EscrowSigning {
    uint256 internal constant P1_KEY = 0xB0B1;
    uint256 internal constant P2_KEY = 0xB0B2;
    uint256 internal constant STRANGER_KEY = 0xBAD;
    bytes32 internal constant JOB = keccak256("training order");
    string internal constant URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    Lineages internal lineages;
    address internal recorder = makeAddr("recorder");
    address internal trainer = makeAddr("trainer");
    uint256 internal model;
    uint256 internal recipe;
    uint256 internal dataset;

    function setUp() public override {
        super.setUp();
        lineages = new Lineages(escrow, registry, nft, admin);
        bytes32 role = lineages.RECORDER_ROLE();
        vm.prank(admin);
        lineages.grantRole(role, recorder);
        registerProvider(vm.addr(P1_KEY), MIN_STAKE);
        registerProvider(vm.addr(P2_KEY), MIN_STAKE);
        recipe = mintModel(makeAddr("recipe creator"), 500);
        vm.prank(makeAddr("data owner"));
        dataset = nft.mint(makeAddr("data owner"), "ipfs://dataset", IAgentNFT.AssetKind.Dataset, 0);
        model = mintModel(trainer, 500);
    }

    function _lineage() internal view returns (ILineages.Lineage memory) {
        return ILineages.Lineage({
            assetId: model,
            version: 0,
            manifestUri: URI,
            recipeId: recipe,
            recipeVersion: 0,
            weightsHash: keccak256("weights"),
            hyperparametersHash: keccak256("hyperparameters"),
            lineageHash: keccak256("lineage")
        });
    }

    function _datasets(uint256 id) internal pure returns (ILineages.DatasetUse[] memory d) {
        d = new ILineages.DatasetUse[](1);
        d[0] = ILineages.DatasetUse({assetId: id, sha256: keccak256("dataset bytes")});
    }

    function _job(bytes32 orderHash, uint256[] memory keys, bytes32 signed)
        internal
        view
        returns (ILineages.TrainingJob memory job)
    {
        job.orderHash = orderHash;
        job.resultHash = RESULT;
        job.providers = new address[](keys.length);
        job.signatures = new bytes[](keys.length);
        bytes32 digest = escrow.hashAttestation(orderHash, signed);
        for (uint256 i; i < keys.length; ++i) {
            job.providers[i] = vm.addr(keys[i]);
            job.signatures[i] = _sig(keys[i], digest);
        }
    }

    function _two() internal pure returns (uint256[] memory keys) {
        keys = new uint256[](2);
        (keys[0], keys[1]) = (P1_KEY, P2_KEY);
    }

    function _jobs(ILineages.TrainingJob memory job) internal pure returns (ILineages.TrainingJob[] memory j) {
        j = new ILineages.TrainingJob[](1);
        j[0] = job;
    }

    function test_record_storesTheLineageBoundToTheVersion() public {
        // (Arguments built before the prank: building a job calls the escrow.)
        ILineages.TrainingJob[] memory signed = _jobs(_job(JOB, _two(), RESULT));
        vm.prank(recorder);
        lineages.record(_lineage(), _datasets(dataset), signed);
        (ILineages.Lineage memory l, ILineages.DatasetUse[] memory d, bytes32[] memory jobs) =
            lineages.lineageOf(model, 0);
        assertEq(l.recipeId, recipe, "parent");
        assertEq(l.weightsHash, keccak256("weights"), "weights");
        assertEq(d[0].assetId, dataset, "dataset");
        assertEq(jobs[0], JOB, "job");
        assertEq(lineages.providersOf(JOB)[1], vm.addr(P2_KEY), "providers");
        assertEq(lineages.trainedOn(dataset)[0], model << 32, "trained on");
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageRecorded.selector, model, uint32(0)));
        lineages.record(_lineage(), _datasets(dataset), signed);
    }

    function test_record_refusesAnyoneButTheRecorder() public {
        bytes32 role = lineages.RECORDER_ROLE();
        ILineages.TrainingJob[] memory jobs = _jobs(_job(JOB, _two(), RESULT));
        ILineages.Lineage memory l = _lineage();
        ILineages.DatasetUse[] memory d = _datasets(dataset);
        vm.prank(trainer);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, trainer, role));
        lineages.record(l, d, jobs);
    }

    function test_record_refusesAnotherManifestOrVersion() public {
        ILineages.Lineage memory l = _lineage();
        l.manifestUri = "ipfs://another";
        ILineages.TrainingJob[] memory jobs = _jobs(_job(JOB, _two(), RESULT));
        ILineages.DatasetUse[] memory d = _datasets(dataset);
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageWrongManifest.selector, model, uint32(0)));
        lineages.record(l, d, jobs);
        l = _lineage();
        l.version = 1;
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageWrongManifest.selector, model, uint32(1)));
        lineages.record(l, d, jobs);
        // A version published later carries its own URI: the lineage must name that one.
        vm.prank(trainer);
        nft.publishVersion(model, "ipfs://v1");
        l.manifestUri = "ipfs://v1";
        vm.prank(recorder);
        lineages.record(l, d, jobs);
        (ILineages.Lineage memory stored,,) = lineages.lineageOf(model, 1);
        assertEq(stored.manifestUri, "ipfs://v1", "the later version");
    }

    function test_record_refusesAForgedOrInactiveAttestation() public {
        ILineages.Lineage memory l = _lineage();
        ILineages.DatasetUse[] memory d = _datasets(dataset);
        // Signed another result than the one claimed.
        ILineages.TrainingJob[] memory jobs = _jobs(_job(JOB, _two(), keccak256("other result")));
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageBadAttestation.selector, JOB, vm.addr(P1_KEY)));
        lineages.record(l, d, jobs);
        // Signed by someone who is not a provider.
        uint256[] memory stranger = new uint256[](1);
        stranger[0] = STRANGER_KEY;
        jobs = _jobs(_job(JOB, stranger, RESULT));
        vm.prank(recorder);
        vm.expectRevert(
            abi.encodeWithSelector(ILineages.SoukLineageBadAttestation.selector, JOB, vm.addr(STRANGER_KEY))
        );
        lineages.record(l, d, jobs);
        // One provider named twice.
        uint256[] memory twice = new uint256[](2);
        (twice[0], twice[1]) = (P1_KEY, P1_KEY);
        jobs = _jobs(_job(JOB, twice, RESULT));
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageBadAttestation.selector, JOB, vm.addr(P1_KEY)));
        lineages.record(l, d, jobs);
        // No attestations.
        jobs = _jobs(_job(JOB, new uint256[](0), RESULT));
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageNoAttestations.selector, JOB, 0, 0));
        lineages.record(l, d, jobs);
        // No jobs at all, or one job twice.
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageBadSize.selector, 0, 1));
        lineages.record(l, d, new ILineages.TrainingJob[](0));
        ILineages.TrainingJob[] memory dup = new ILineages.TrainingJob[](2);
        (dup[0], dup[1]) = (_job(JOB, _two(), RESULT), _job(JOB, _two(), RESULT));
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageDuplicateJob.selector, JOB));
        lineages.record(l, d, dup);
    }

    function test_record_refusesADatasetThatIsAModel() public {
        ILineages.TrainingJob[] memory jobs = _jobs(_job(JOB, _two(), RESULT));
        ILineages.Lineage memory l = _lineage();
        ILineages.DatasetUse[] memory d = _datasets(recipe);
        vm.prank(recorder);
        vm.expectRevert(abi.encodeWithSelector(ILineages.SoukLineageNotADataset.selector, recipe));
        lineages.record(l, d, jobs);
        // Inline data (asset 0) needs no asset.
        vm.prank(recorder);
        lineages.record(l, _datasets(0), jobs);
    }

    /// @notice Property: a federated lineage of any number of jobs (1…MAX_JOBS), each signed by the two providers,
    /// is recorded whole, in order; flipping any one job's claimed result makes the whole record revert.
    function testFuzz_record_allJobsCheckedInOrder(uint8 count, uint8 tampered, bool tamper) public {
        uint256 n = bound(count, 1, 12);
        ILineages.TrainingJob[] memory jobs = new ILineages.TrainingJob[](n);
        for (uint256 i; i < n; ++i) {
            jobs[i] = _job(keccak256(abi.encode("round update", i)), _two(), RESULT);
        }
        uint256 bad = bound(tampered, 0, n - 1);
        if (tamper) jobs[bad].resultHash = keccak256("corrupted update");
        ILineages.Lineage memory l = _lineage();
        ILineages.DatasetUse[] memory d = _datasets(dataset);
        if (tamper) {
            vm.prank(recorder);
            vm.expectRevert(
                abi.encodeWithSelector(ILineages.SoukLineageBadAttestation.selector, jobs[bad].orderHash, vm.addr(P1_KEY))
            );
            lineages.record(l, d, jobs);
            (ILineages.Lineage memory none,,) = lineages.lineageOf(model, 0);
            assertEq(none.assetId, 0, "nothing recorded");
            return;
        }
        vm.prank(recorder);
        lineages.record(l, d, jobs);
        (,, bytes32[] memory stored) = lineages.lineageOf(model, 0);
        assertEq(stored.length, n, "every job");
        for (uint256 i; i < n; ++i) {
            assertEq(stored[i], jobs[i].orderHash, "in order");
        }
    }
}
