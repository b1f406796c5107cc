// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors, IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {SoukFixture} from "./utils/SoukFixture.sol";
import {SoukTimelock} from "../src/governance/SoukTimelock.sol";
import {SoukGovernor} from "../src/governance/SoukGovernor.sol";
import {IAgentNFT} from "../src/interfaces/IAgentNFT.sol";
import {ILicenses} from "../src/interfaces/ILicenses.sol";
import {Evaluations} from "../src/Evaluations.sol";
import {IEvaluations} from "../src/interfaces/IEvaluations.sol";
import {LineageRoyalties} from "../src/LineageRoyalties.sol";
import {Lineages} from "../src/Lineages.sol";
import {ILineages} from "../src/interfaces/ILineages.sol";
import {RoyaltySplit} from "../src/RoyaltySplit.sol";
import {IMarketplace} from "../src/interfaces/IMarketplace.sol";

/// @title AccessControlMatrixTest
/// @notice Every privileged function of every Souk contract, called by an account holding no role (and owning
/// nothing), reverts with the contract's own access error naming the caller (and the missing role). A second test
/// reads each contract's compiled ABI and fails on any function classified neither privileged (here) nor open, so
/// a new setter cannot ship without its access test. (The ComputeEscrow's roles are tested in ComputeEscrowTest.)
contract AccessControlMatrixTest is SoukFixture {
    struct Case {
        string contractName;
        string signature;
        address target;
        bytes data;
        bytes expected;
    }

    address internal stranger = makeAddr("stranger");
    SoukTimelock internal timelock;
    SoukGovernor internal governor;
    uint256 internal tokenId;
    Case[] internal _cases;
    mapping(string contractName => string) internal _open;
    mapping(string contractName => string[]) internal _sigs;

    function setUp() public override {
        super.setUp();
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1);
        timelock = new SoukTimelock(2 days, none, anyone, admin);
        governor = new SoukGovernor(souk, timelock, 1, 50_400, 0, 4);
        tokenId = mintModel(creator, 500);
        vm.startPrank(creator);
        nft.setApprovalForAll(address(market), true);
        market.list(tokenId, address(0), 1 ether);
        vm.stopPrank();
        _registryCases();
        _marketCases();
        _tokenCases();
        _governanceCases();
        _lineageCases();
        _openFunctions();
    }

    /// @dev LineageRoyalties has no privileged function; a RoyaltySplit mints only for its factory.
    function _lineageCases() internal {
        LineageRoyalties lineage = new LineageRoyalties(nft);
        address[] memory accounts = new address[](1);
        accounts[0] = alice;
        uint16[] memory bps = new uint16[](1);
        bps[0] = 100;
        (, address split) = lineage.mintDerived(creator, "ipfs://derived", 0, accounts, bps);
        Evaluations evaluations = new Evaluations(escrow, registry, admin);
        address ev = address(evaluations);
        bytes32 evAdmin = evaluations.DEFAULT_ADMIN_ROLE();
        bytes32 recorder = evaluations.RECORDER_ROLE();
        IEvaluations.Evaluation memory e;
        _role("Evaluations", ev, abi.encodeCall(evaluations.record, (e, new address[](0), new bytes[](0))), recorder);
        _role("Evaluations", ev, abi.encodeCall(evaluations.grantRole, (recorder, stranger)), evAdmin);
        _role("Evaluations", ev, abi.encodeCall(evaluations.revokeRole, (recorder, stranger)), evAdmin);
        Lineages lineages = new Lineages(escrow, registry, nft, admin);
        address ln = address(lineages);
        ILineages.Lineage memory l;
        _role(
            "Lineages",
            ln,
            abi.encodeCall(lineages.record, (l, new ILineages.DatasetUse[](0), new ILineages.TrainingJob[](0))),
            recorder
        );
        _role("Lineages", ln, abi.encodeCall(lineages.grantRole, (recorder, stranger)), evAdmin);
        _role("Lineages", ln, abi.encodeCall(lineages.revokeRole, (recorder, stranger)), evAdmin);
        _case(
            "RoyaltySplit",
            split,
            abi.encodeCall(RoyaltySplit.mintFor, (nft, stranger, "ipfs://x", 0)),
            abi.encodeWithSelector(RoyaltySplit.SoukNotFactory.selector, stranger)
        );
    }

    function _registryCases() internal {
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        bytes32 slasher = registry.SLASHER_ROLE();
        bytes32 reporter = registry.REPORTER_ROLE();
        address r = address(registry);
        _role("ProviderRegistry", r, abi.encodeCall(registry.setMinStake, (1)), adminRole);
        _role("ProviderRegistry", r, abi.encodeCall(registry.setUnbondingPeriod, (30 days)), adminRole);
        _role("ProviderRegistry", r, abi.encodeCall(registry.setSlashRecipient, (stranger)), adminRole);
        _role("ProviderRegistry", r, abi.encodeCall(registry.grantRole, (slasher, stranger)), adminRole);
        _role("ProviderRegistry", r, abi.encodeCall(registry.revokeRole, (slasher, address(escrow))), adminRole);
        _role("ProviderRegistry", r, abi.encodeCall(registry.slash, (alice, 1, bytes32(0))), slasher);
        _role("ProviderRegistry", r, abi.encodeCall(registry.lockStake, (alice, 1)), slasher);
        _role("ProviderRegistry", r, abi.encodeCall(registry.unlockStake, (alice, 1)), slasher);
        _role("ProviderRegistry", r, abi.encodeCall(registry.setMinUnbondingPeriod, (0)), slasher);
        _role("ProviderRegistry", r, abi.encodeCall(registry.recordResult, (alice, true)), reporter);
    }

    /// @dev Licenses and Marketplace: governance, guardian, and the asset owner's / seller's own functions.
    function _marketCases() internal {
        bytes32 adminRole = licenses.DEFAULT_ADMIN_ROLE();
        bytes32 pauser = licenses.PAUSER_ROLE();
        address l = address(licenses);
        _role("Licenses", l, abi.encodeCall(licenses.setProtocolFee, (1)), adminRole);
        _role("Licenses", l, abi.encodeCall(licenses.setTreasury, (stranger)), adminRole);
        _role("Licenses", l, abi.encodeCall(licenses.setCurrencyAllowed, (stranger, true)), adminRole);
        _role("Licenses", l, abi.encodeCall(licenses.unpause, ()), adminRole);
        _role("Licenses", l, abi.encodeCall(licenses.grantRole, (pauser, stranger)), adminRole);
        _role("Licenses", l, abi.encodeCall(licenses.revokeRole, (pauser, guardian)), adminRole);
        _role("Licenses", l, abi.encodeCall(licenses.pause, ()), pauser);
        bytes memory notAssetOwner = abi.encodeWithSelector(ILicenses.SoukNotAssetOwner.selector, stranger, tokenId);
        _case("Licenses", l, abi.encodeCall(licenses.setTerms, (tokenId, address(0), 1, 0)), notAssetOwner);
        _case("Licenses", l, abi.encodeCall(licenses.closeLicensing, (tokenId)), notAssetOwner);
        _case(
            "Licenses", l, abi.encodeCall(licenses.setTrainingTerms, (tokenId, address(0), 1, 0)), notAssetOwner
        );
        address m = address(market);
        _role("Marketplace", m, abi.encodeCall(market.setProtocolFee, (1)), adminRole);
        _role("Marketplace", m, abi.encodeCall(market.setTreasury, (stranger)), adminRole);
        _role("Marketplace", m, abi.encodeCall(market.setCurrencyAllowed, (stranger, true)), adminRole);
        _role("Marketplace", m, abi.encodeCall(market.unpause, ()), adminRole);
        _role("Marketplace", m, abi.encodeCall(market.grantRole, (pauser, stranger)), adminRole);
        _role("Marketplace", m, abi.encodeCall(market.revokeRole, (pauser, guardian)), adminRole);
        _role("Marketplace", m, abi.encodeCall(market.pause, ()), pauser);
        _case(
            "Marketplace",
            m,
            abi.encodeCall(market.list, (tokenId, address(0), 1)),
            abi.encodeWithSelector(IMarketplace.SoukNotTokenOwner.selector, stranger, tokenId)
        );
        bytes memory notSeller = abi.encodeWithSelector(IMarketplace.SoukNotSeller.selector, stranger, tokenId);
        _case("Marketplace", m, abi.encodeCall(market.updatePrice, (tokenId, 2)), notSeller);
        _case("Marketplace", m, abi.encodeCall(market.cancel, (tokenId)), notSeller);

    }

    /// @dev AgentNFT and SoukToken: what only an owner (or approved spender) may do.
    function _tokenCases() internal {
        address n = address(nft);
        _case(
            "AgentNFT",
            n,
            abi.encodeCall(nft.publishVersion, (tokenId, "ipfs://v2")),
            abi.encodeWithSelector(IAgentNFT.SoukNotAssetOwner.selector, stranger, tokenId)
        );
        _case(
            "AgentNFT",
            n,
            abi.encodeCall(nft.transferFrom, (creator, stranger, tokenId)),
            abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, stranger, tokenId)
        );
        _case(
            "AgentNFT",
            n,
            abi.encodeCall(nft.approve, (stranger, tokenId)),
            abi.encodeWithSelector(IERC721Errors.ERC721InvalidApprover.selector, stranger)
        );
        _case(
            "SoukToken",
            address(souk),
            abi.encodeCall(souk.transferFrom, (treasury, stranger, 1)),
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, stranger, 0, 1)
        );

    }

    /// @dev Governance: the timelock's roles, and the governor's onlyGovernance functions.
    function _governanceCases() internal {
        bytes32 adminRole = timelock.DEFAULT_ADMIN_ROLE();
        address c = address(registry);
        address t = address(timelock);
        bytes32 proposer = timelock.PROPOSER_ROLE();
        address[] memory targets = new address[](0);
        uint256[] memory values = new uint256[](0);
        bytes[] memory payloads = new bytes[](0);
        _role("SoukTimelock", t, abi.encodeCall(timelock.schedule, (c, 0, "", 0, 0, 2 days)), proposer);
        _role(
            "SoukTimelock", t, abi.encodeCall(timelock.scheduleBatch, (targets, values, payloads, 0, 0, 2 days)), proposer
        );
        _role("SoukTimelock", t, abi.encodeCall(timelock.cancel, (bytes32(0))), timelock.CANCELLER_ROLE());
        _role("SoukTimelock", t, abi.encodeCall(timelock.grantRole, (proposer, stranger)), adminRole);
        _role("SoukTimelock", t, abi.encodeCall(timelock.revokeRole, (proposer, stranger)), adminRole);
        _case(
            "SoukTimelock",
            t,
            abi.encodeCall(timelock.updateDelay, (0)),
            abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, stranger)
        );
        address g = address(governor);
        bytes memory onlyExecutor = abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, stranger);
        _case("SoukGovernor", g, abi.encodeCall(governor.relay, (c, 0, "")), onlyExecutor);
        _case("SoukGovernor", g, abi.encodeCall(governor.setProposalThreshold, (1)), onlyExecutor);
        _case("SoukGovernor", g, abi.encodeCall(governor.setVotingDelay, (1)), onlyExecutor);
        _case("SoukGovernor", g, abi.encodeCall(governor.setVotingPeriod, (1)), onlyExecutor);
        _case("SoukGovernor", g, abi.encodeCall(governor.updateQuorumNumerator, (1)), onlyExecutor);
        _case("SoukGovernor", g, abi.encodeCall(governor.updateTimelock, (timelock)), onlyExecutor);

    }

    /// @dev Everything else is open to anyone: views, and actions guarded by the caller's own state (its stake, its
    /// job, its credits, its votes) or by a proposal's state.
    function _openFunctions() internal {
        _open["ProviderRegistry"] = string.concat(
            " ",
            "DEFAULT_ADMIN_ROLE() MAX_UNBONDING_PERIOD() REPORTER_ROLE() SLASHER_ROLE() "
            "getProvider(address) getRoleAdmin(bytes32) hasRole(bytes32,address) increaseStake(uint256) "
            "isActive(address) lockedStake(address) metadataURI(address) minStake() minUnbondingPeriod() "
            "register(string,uint256) renounceRole(bytes32,address) requestUnbond(uint256) slashRecipient() "
            "stakeToken() supportsInterface(bytes4) totalBonded() unbondingPeriod() updateMetadata(string) "
            "withdraw() "
        );
        _open["Licenses"] = string.concat(
            " ",
            "DEFAULT_ADMIN_ROLE() MAX_PROTOCOL_FEE_BPS() MAX_ROYALTY_BPS() NATIVE() PAUSER_ROLE() "
            "PERPETUAL() PUSH_GAS_LIMIT() agentNFT() creditsOf(address,address) getRoleAdmin(bytes32) "
            "getTerms(uint256) hasAccess(address,uint256) hasRole(bytes32,address) "
            "isCurrencyAllowed(address) isLicensingOpen(uint256) licenseExpiry(uint256,address) paused() "
            "protocolFeeBps() purchaseLicense(uint256,address) "
            "purchaseLicenseAt(uint256,address,address,uint256,uint64) renounceRole(bytes32,address) "
            "canTrain(address,uint256) getTrainingTerms(uint256) isTrainingLicensingOpen(uint256) "
            "purchaseTrainingLicenseAt(uint256,address,address,uint256,uint64) trainingLicenseExpiry(uint256,address) "
            "supportsInterface(bytes4) totalCredits(address) treasury() withdrawCredits(address,address) "
        );
        _open["LineageRoyalties"] = string.concat(
            " ",
            "MAX_LINEAGE_BPS() MAX_LINEAGE_RECIPIENTS() agentNFT() "
            "mintDerived(address,string,uint16,address[],uint16[]) splitImplementation() splitOf(uint256) "
        );
        _open["Evaluations"] = string.concat(
            " ",
            "DEFAULT_ADMIN_ROLE() MAX_PROVIDERS() RECORDER_ROLE() escrow() evaluationOf(bytes32) "
            "evaluationsOfModel(uint256) getRoleAdmin(bytes32) hasRole(bytes32,address) registry() "
            "renounceRole(bytes32,address) supportsInterface(bytes4) "
        );
        _open["Lineages"] = string.concat(
            " ",
            "DEFAULT_ADMIN_ROLE() MAX_DATASETS() MAX_JOBS() MAX_PROVIDERS() RECORDER_ROLE() escrow() "
            "getRoleAdmin(bytes32) hasRole(bytes32,address) lineageOf(uint256,uint32) nft() providersOf(bytes32) "
            "registry() renounceRole(bytes32,address) supportsInterface(bytes4) trainedOn(uint256) "
        );
        _open["RoyaltySplit"] = string.concat(
            " ",
            "NATIVE() PUSH_GAS_LIMIT() collect(address,address) creditsOf(address,address) distributable(address) "
            "distribute(address) factory() isCurrencyAllowed(address) recipients() totalCredits(address) "
            "withdrawCredits(address,address) "
        );
        _open["Marketplace"] = string.concat(
            " ",
            "DEFAULT_ADMIN_ROLE() MAX_PROTOCOL_FEE_BPS() MAX_ROYALTY_BPS() NATIVE() PAUSER_ROLE() "
            "PUSH_GAS_LIMIT() agentNFT() buy(uint256,address,uint256) creditsOf(address,address) "
            "getListing(uint256) getRoleAdmin(bytes32) hasRole(bytes32,address) isCurrencyAllowed(address) "
            "isListingValid(uint256) paused() protocolFeeBps() renounceRole(bytes32,address) "
            "supportsInterface(bytes4) totalCredits(address) treasury() withdrawCredits(address,address) "
        );
        _open["AgentNFT"] = string.concat(
            " ",
            "MAX_ROYALTY_BPS() balanceOf(address) creatorOf(uint256) getApproved(uint256) "
            "isApprovedForAll(address,address) kindOf(uint256) mint(address,string,uint8,uint16) "
            "mintAgent(address,string) name() ownerOf(uint256) royaltyBpsOf(uint256) "
            "royaltyInfo(uint256,uint256) safeTransferFrom(address,address,uint256) "
            "safeTransferFrom(address,address,uint256,bytes) setApprovalForAll(address,bool) "
            "supportsInterface(bytes4) symbol() tokenURI(uint256) totalMinted() transferCount(uint256) "
            "versionCount(uint256) versionURI(uint256,uint256) "
        );
        _open["SoukToken"] = string.concat(
            " ",
            "CLOCK_MODE() DOMAIN_SEPARATOR() allowance(address,address) approve(address,uint256) "
            "balanceOf(address) checkpoints(address,uint32) clock() decimals() delegate(address) "
            "delegateBySig(address,uint256,uint256,uint8,bytes32,bytes32) delegates(address) eip712Domain() "
            "getPastTotalSupply(uint256) getPastVotes(address,uint256) getVotes(address) name() "
            "nonces(address) numCheckpoints(address) "
            "permit(address,address,uint256,uint256,uint8,bytes32,bytes32) symbol() totalSupply() "
            "transfer(address,uint256) "
        );
        _open["SoukTimelock"] = string.concat(
            " ",
            "CANCELLER_ROLE() DEFAULT_ADMIN_ROLE() EXECUTOR_ROLE() PROPOSER_ROLE() "
            "execute(address,uint256,bytes,bytes32,bytes32) "
            "executeBatch(address[],uint256[],bytes[],bytes32,bytes32) getMinDelay() "
            "getOperationState(bytes32) getRoleAdmin(bytes32) getTimestamp(bytes32) "
            "hasRole(bytes32,address) hashOperation(address,uint256,bytes,bytes32,bytes32) "
            "hashOperationBatch(address[],uint256[],bytes[],bytes32,bytes32) isOperation(bytes32) "
            "isOperationDone(bytes32) isOperationPending(bytes32) isOperationReady(bytes32) "
            "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes) "
            "onERC1155Received(address,address,uint256,uint256,bytes) "
            "onERC721Received(address,address,uint256,bytes) renounceRole(bytes32,address) "
            "supportsInterface(bytes4) "
        );
        _open["SoukGovernor"] = string.concat(
            " ",
            "BALLOT_TYPEHASH() CLOCK_MODE() COUNTING_MODE() EXTENDED_BALLOT_TYPEHASH() "
            "cancel(address[],uint256[],bytes[],bytes32) castVote(uint256,uint8) "
            "castVoteBySig(uint256,uint8,address,bytes) castVoteWithReason(uint256,uint8,string) "
            "castVoteWithReasonAndParams(uint256,uint8,string,bytes) "
            "castVoteWithReasonAndParamsBySig(uint256,uint8,address,string,bytes,bytes) clock() "
            "eip712Domain() execute(address[],uint256[],bytes[],bytes32) "
            "getProposalId(address[],uint256[],bytes[],bytes32) getVotes(address,uint256) "
            "getVotesWithParams(address,uint256,bytes) hasVoted(uint256,address) "
            "hashProposal(address[],uint256[],bytes[],bytes32) name() nonces(address) "
            "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes) "
            "onERC1155Received(address,address,uint256,uint256,bytes) "
            "onERC721Received(address,address,uint256,bytes) proposalDeadline(uint256) proposalEta(uint256) "
            "proposalNeedsQueuing(uint256) proposalProposer(uint256) proposalSnapshot(uint256) "
            "proposalThreshold() proposalVotes(uint256) propose(address[],uint256[],bytes[],string) "
            "queue(address[],uint256[],bytes[],bytes32) quorum(uint256) quorumDenominator() "
            "quorumNumerator() quorumNumerator(uint256) state(uint256) supportsInterface(bytes4) timelock() "
            "token() version() votingDelay() votingPeriod() "
        );
    }

    /// @notice Every privileged selector of every contract, as an account without the role, reverts with the
    /// contract's access error (`AccessControlUnauthorizedAccount(caller, role)`, or its own owner/executor error).
    function test_everyPrivilegedFunction_revertsForANonHolder() public {
        for (uint256 i; i < _cases.length; ++i) {
            Case memory k = _cases[i];
            string memory what = string.concat(k.contractName, ".", k.signature);
            assertEq(bytes32(bytes4(k.data)), bytes32(bytes4(keccak256(bytes(k.signature)))), what);
            vm.prank(stranger);
            (bool ok, bytes memory ret) = k.target.call(k.data);
            assertFalse(ok, string.concat(what, " accepted a non-holder"));
            assertEq(keccak256(ret), keccak256(k.expected), string.concat(what, ": wrong access error"));
        }
        assertGe(_cases.length, 45, "cases");
    }

    /// @notice Every function in every contract's compiled ABI is classified: privileged (tested above) or open.
    function test_everyFunctionOfEveryContract_isClassified() public view {
        string[11] memory names = [
            "Evaluations",
            "Lineages",
            "LineageRoyalties",
            "RoyaltySplit",
            "ProviderRegistry",
            "Licenses",
            "Marketplace",
            "AgentNFT",
            "SoukToken",
            "SoukTimelock",
            "SoukGovernor"
        ];
        for (uint256 i; i < names.length; ++i) {
            string[] memory sigs = _methods(names[i]);
            assertTrue(sigs.length != 0, names[i]);
            for (uint256 j; j < sigs.length; ++j) {
                bool known = _contains(_open[names[i]], string.concat(" ", sigs[j], " ")) || _isCase(names[i], sigs[j]);
                assertTrue(known, string.concat(names[i], ".", sigs[j], " is neither privileged-tested nor open"));
            }
        }
    }

    // ───────────────────────────── helpers ─────────────────────────────

    function _role(string memory name, address target, bytes memory data, bytes32 role) internal {
        _case(
            name,
            target,
            data,
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
    }

    function _case(string memory name, address target, bytes memory data, bytes memory expected) internal {
        _cases.push(Case(name, _signatureOf(name, data), target, data, expected));
    }

    /// @dev The signature whose selector `data` starts with, found in the contract's compiled method identifiers.
    function _signatureOf(string memory name, bytes memory data) internal returns (string memory) {
        string[] storage sigs = _sigs[name];
        if (sigs.length == 0) {
            string[] memory loaded = _methods(name);
            for (uint256 i; i < loaded.length; ++i) {
                sigs.push(loaded[i]);
            }
        }
        for (uint256 i; i < sigs.length; ++i) {
            if (bytes4(keccak256(bytes(sigs[i]))) == bytes4(data)) return sigs[i];
        }
        revert("selector not in the ABI");
    }

    /// @dev The function signatures of a contract's compiled ABI (`out/<name>.sol/<name>.json`).
    function _methods(string memory name) internal view returns (string[] memory) {
        string memory json = vm.readFile(string.concat("out/", name, ".sol/", name, ".json"));
        return vm.parseJsonKeys(json, ".methodIdentifiers");
    }

    function _isCase(string memory name, string memory signature) internal view returns (bool) {
        for (uint256 i; i < _cases.length; ++i) {
            if (
                keccak256(bytes(_cases[i].contractName)) == keccak256(bytes(name))
                    && keccak256(bytes(_cases[i].signature)) == keccak256(bytes(signature))
            ) return true;
        }
        return false;
    }

    function _contains(string memory haystack, string memory needle) internal pure returns (bool) {
        bytes memory h = bytes(haystack);
        bytes memory n = bytes(needle);
        if (n.length > h.length) return false;
        for (uint256 i; i <= h.length - n.length; ++i) {
            uint256 j;
            while (j < n.length && h[i + j] == n[j]) ++j;
            if (j == n.length) return true;
        }
        return false;
    }
}
