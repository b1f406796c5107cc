// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EscrowSigning} from "./ComputeEscrow.t.sol";
import {RevertingReceiver} from "./utils/mocks/Receivers.sol";
import {IComputeEscrow} from "../src/interfaces/IComputeEscrow.sol";
import {ILineageRoyalties} from "../src/interfaces/ILineageRoyalties.sol";
import {IPayouts} from "../src/interfaces/IPayouts.sol";
import {LineageRoyalties} from "../src/LineageRoyalties.sol";
import {RoyaltySplit} from "../src/RoyaltySplit.sol";

/// @notice Lineage royalties: a derived model minted through LineageRoyalties has a RoyaltySplit as its creator, and
/// every creator payment — ERC-2981 royalty of a licence, the creator share of a settled job — is split exactly.
contract LineageRoyaltiesTest is EscrowSigning {
    string internal constant URI = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    uint256 internal constant REQUESTER_KEY = 0xA11CE;
    uint256 internal constant P1_KEY = 0xB0B1;
    uint256 internal constant P2_KEY = 0xB0B2;

    LineageRoyalties internal lineage;
    address internal parentCreator = makeAddr("parentCreator");
    address internal datasetOwner = makeAddr("datasetOwner");
    address internal trainer = makeAddr("trainer");

    function setUp() public override {
        super.setUp();
        lineage = new LineageRoyalties(nft);
    }

    function _mint(address[] memory accounts, uint16[] memory bps) internal returns (uint256 id, RoyaltySplit split) {
        vm.prank(trainer);
        address s;
        (id, s) = lineage.mintDerived(trainer, URI, 500, accounts, bps);
        split = RoyaltySplit(payable(s));
    }

    function _two(uint16 a, uint16 b) internal view returns (address[] memory accounts, uint16[] memory bps) {
        accounts = new address[](2);
        (accounts[0], accounts[1]) = (parentCreator, datasetOwner);
        bps = new uint16[](2);
        (bps[0], bps[1]) = (a, b);
    }

    function test_mintDerived_makesTheSplitTheCreatorAndRoyaltyReceiver() public {
        (address[] memory accounts, uint16[] memory bps) = _two(1_000, 2_000);
        (uint256 id, RoyaltySplit split) = _mint(accounts, bps);
        assertEq(nft.ownerOf(id), trainer, "owner");
        assertEq(nft.creatorOf(id), address(split), "creator is the split");
        (address receiver, uint256 royalty) = nft.royaltyInfo(id, 1 ether);
        assertEq(receiver, address(split), "ERC-2981 receiver");
        assertEq(royalty, 0.05 ether, "5 %");
        assertEq(lineage.splitOf(id), address(split), "recorded");
        (address creator_, address[] memory a, uint16[] memory b) = split.recipients();
        assertEq(creator_, trainer, "remainder to the trainer");
        assertEq(a[1], datasetOwner, "recipients");
        assertEq(uint256(b[0]), 1_000, "bps");
    }

    function test_mintDerived_revertsOnABadSplit() public {
        (address[] memory accounts, uint16[] memory bps) = _two(3_000, 2_001);
        vm.expectRevert(abi.encodeWithSelector(ILineageRoyalties.SoukLineageShareTooHigh.selector, 5_001, 5_000));
        lineage.mintDerived(trainer, URI, 0, accounts, bps);
        (accounts, bps) = _two(0, 100);
        vm.expectRevert(abi.encodeWithSelector(ILineageRoyalties.SoukLineageInvalidRecipient.selector, parentCreator, 0));
        lineage.mintDerived(trainer, URI, 0, accounts, bps);
        (accounts, bps) = _two(100, 100);
        accounts[1] = parentCreator;
        vm.expectRevert(
            abi.encodeWithSelector(ILineageRoyalties.SoukLineageInvalidRecipient.selector, parentCreator, 100)
        );
        lineage.mintDerived(trainer, URI, 0, accounts, bps);
        vm.expectRevert(abi.encodeWithSelector(ILineageRoyalties.SoukLineageInvalidRecipients.selector, 0, 0));
        lineage.mintDerived(trainer, URI, 0, new address[](0), new uint16[](0));
        vm.expectRevert(abi.encodeWithSelector(ILineageRoyalties.SoukLineageInvalidRecipients.selector, 2, 1));
        lineage.mintDerived(trainer, URI, 0, accounts, new uint16[](1));
    }

    function test_mintFor_onlyTheFactory() public {
        (address[] memory accounts, uint16[] memory bps) = _two(1_000, 1_000);
        (, RoyaltySplit split) = _mint(accounts, bps);
        vm.expectRevert(abi.encodeWithSelector(RoyaltySplit.SoukNotFactory.selector, address(this)));
        split.mintFor(nft, address(this), URI, 0);
    }

    function test_licenceRoyalty_isSplitExactly() public {
        (address[] memory accounts, uint16[] memory bps) = _two(1_000, 2_500);
        (uint256 id, RoyaltySplit split) = _mint(accounts, bps);
        vm.prank(trainer);
        licenses.setTerms(id, NATIVE, 1 ether, 0);
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        licenses.purchaseLicense{value: 1 ether}(id, bob);
        assertEq(address(split).balance, 0.05 ether, "the royalty was pushed to the split");
        uint256 trainerBefore = trainer.balance; // the trainer also got the owner's part of the licence
        vm.expectEmit(address(split));
        emit RoyaltySplit.Distributed(NATIVE, 0.05 ether, 0.0325 ether);
        split.distribute(NATIVE);
        assertEq(parentCreator.balance, 0.005 ether, "parent: 10 %");
        assertEq(datasetOwner.balance, 0.0125 ether, "dataset: 25 %");
        assertEq(trainer.balance - trainerBefore, 0.0325 ether, "trainer: the rest");
        assertEq(address(split).balance, 0, "nothing left");
        assertEq(split.distribute(NATIVE), 0, "nothing to split twice");
    }

    function test_jobCreatorShare_isCollectedFromTheEscrowAndSplit() public {
        (address[] memory accounts, uint16[] memory bps) = _two(2_000, 3_000);
        (uint256 id, RoyaltySplit split) = _mint(accounts, bps);
        address requester = vm.addr(REQUESTER_KEY);
        registerProvider(vm.addr(P1_KEY), MIN_STAKE * 2);
        registerProvider(vm.addr(P2_KEY), MIN_STAKE * 2);
        vm.deal(requester, 10 ether);
        vm.prank(requester);
        escrow.deposit{value: 10 ether}(NATIVE, 10 ether);
        IComputeEscrow.Settlement memory s = _settlement(
            escrow, _order(requester, id, 1 ether, 2, 1), REQUESTER_KEY, 1 ether, RESULT, _keysOf(P1_KEY, P2_KEY)
        );
        IComputeEscrow.Settlement[] memory batch = new IComputeEscrow.Settlement[](1);
        batch[0] = s;
        vm.prank(settler);
        assertEq(escrow.settleBatch(batch), 1, "settled");
        assertEq(escrow.creditsOf(NATIVE, address(split)), 0.05 ether, "creator share credited to the split");
        uint256 trainerBefore = trainer.balance;
        assertEq(split.collect(IPayouts(address(escrow)), NATIVE), 0.05 ether, "collected");
        assertEq(parentCreator.balance, 0.01 ether, "parent: 20 %");
        assertEq(datasetOwner.balance, 0.015 ether, "dataset: 30 %");
        assertEq(trainer.balance - trainerBefore, 0.025 ether, "trainer: 50 %");
        _assertHolds(escrow, NATIVE);
    }

    function test_aRevertingRecipient_isCreditedAndTheOthersPaid() public {
        RevertingReceiver bad = new RevertingReceiver();
        (address[] memory accounts, uint16[] memory bps) = _two(1_000, 1_000);
        accounts[0] = address(bad);
        (, RoyaltySplit split) = _mint(accounts, bps);
        vm.deal(address(split), 1 ether);
        split.distribute(NATIVE);
        assertEq(split.creditsOf(NATIVE, address(bad)), 0.1 ether, "credited");
        assertEq(datasetOwner.balance, 0.1 ether, "paid");
        assertEq(trainer.balance, 0.8 ether, "paid");
        assertEq(split.distributable(NATIVE), 0, "the credit is not split again");
        assertEq(split.distribute(NATIVE), 0, "nothing to split");
    }

    function test_erc20Royalties_areSplitToo() public {
        (address[] memory accounts, uint16[] memory bps) = _two(1_234, 3_766);
        (, RoyaltySplit split) = _mint(accounts, bps);
        usd.mint(address(split), 1_000_001);
        split.distribute(address(usd));
        assertEq(usd.balanceOf(parentCreator), 123_400, "floor(1_000_001 * 1234 / 10000)");
        assertEq(usd.balanceOf(datasetOwner), 376_600, "floor(1_000_001 * 3766 / 10000)");
        assertEq(usd.balanceOf(trainer), 500_001, "the rest, with the rounding");
    }

    /// @notice Property: for any amount and shares, every wei goes somewhere, no recipient gets more than its exact
    /// share, and the creator loses less than one wei per recipient to rounding.
    function test_fuzz_distribute_isExactToTheWei(uint256 amount, uint16 a, uint16 b, uint16 c) public {
        amount = bound(amount, 0, 1e30);
        a = uint16(bound(a, 1, 2_000));
        b = uint16(bound(b, 1, 2_000));
        c = uint16(bound(c, 1, 1_000));
        address[] memory accounts = new address[](3);
        (accounts[0], accounts[1], accounts[2]) = (parentCreator, datasetOwner, alice);
        uint16[] memory bps = new uint16[](3);
        (bps[0], bps[1], bps[2]) = (a, b, c);
        (, RoyaltySplit split) = _mint(accounts, bps);
        vm.deal(address(split), amount);
        split.distribute(NATIVE);
        uint256 sum = parentCreator.balance + datasetOwner.balance + alice.balance + trainer.balance;
        assertEq(sum, amount, "every wei paid");
        assertEq(address(split).balance, 0, "nothing held");
        for (uint256 i; i < 3; ++i) {
            assertEq(accounts[i].balance, amount * bps[i] / 10_000, "a recipient's share, rounded down");
        }
        uint256 exactCreator = amount * (10_000 - uint256(a) - b - c) / 10_000;
        assertGe(trainer.balance, exactCreator, "the creator at least its exact share");
        assertLe(trainer.balance, exactCreator + 3, "at most one wei more per recipient");
    }

    function _keysOf(uint256 x, uint256 y) internal pure returns (uint256[] memory k) {
        k = new uint256[](2);
        (k[0], k[1]) = (x, y);
    }
}
