// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {OwnedWallet, GasBurningWallet} from "./utils/mocks/ERC1271Wallets.sol";
import {RevertingReceiver} from "./utils/mocks/Receivers.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ComputeEscrow} from "../src/ComputeEscrow.sol";
import {IComputeEscrow} from "../src/interfaces/IComputeEscrow.sol";
import {IPayouts} from "../src/interfaces/IPayouts.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";

/// @notice Signing helpers shared by the ComputeEscrow unit, fuzz and invariant tests.
abstract contract EscrowSigning is SoukFixture {
    bytes32 internal constant INPUT = keccak256("input");
    bytes32 internal constant RESULT = keccak256("result");
    bytes32 internal constant WRONG = keccak256("wrong");
    address internal constant NATIVE = address(0);

    function _order(address requester, uint256 modelId, uint256 maxPrice, uint8 r, uint256 nonce)
        internal
        view
        returns (IComputeEscrow.JobOrder memory)
    {
        return IComputeEscrow.JobOrder({
            requester: requester,
            modelId: modelId,
            modelVersion: 0,
            inputHash: INPUT,
            currency: NATIVE,
            maxPrice: maxPrice,
            redundancy: r,
            verification: 0,
            deadline: uint64(block.timestamp + 1 hours),
            nonce: nonce
        });
    }

    function _sig(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev A settlement of `order` on `target` with `amount`, attested to `result` by every key in `keys`.
    function _settlement(
        ComputeEscrow target,
        IComputeEscrow.JobOrder memory order,
        uint256 requesterKey,
        uint256 amount,
        bytes32 result,
        uint256[] memory keys
    ) internal view returns (IComputeEscrow.Settlement memory s) {
        bytes32 orderHash = target.hashOrder(order);
        s.order = order;
        s.requesterSignature = _sig(requesterKey, orderHash);
        s.amount = amount;
        s.resultHash = result;
        s.providers = new address[](keys.length);
        s.providerSignatures = new bytes[](keys.length);
        bytes32 digest = target.hashAttestation(orderHash, result);
        for (uint256 i; i < keys.length; ++i) {
            s.providers[i] = vm.addr(keys[i]);
            s.providerSignatures[i] = _sig(keys[i], digest);
        }
    }

    function _one(IComputeEscrow.Settlement memory s) internal pure returns (IComputeEscrow.Settlement[] memory b) {
        b = new IComputeEscrow.Settlement[](1);
        b[0] = s;
    }

    function _keys(uint256 a, uint256 b) internal pure returns (uint256[] memory k) {
        k = new uint256[](2);
        (k[0], k[1]) = (a, b);
    }

    function _attestation(ComputeEscrow target, bytes32 orderHash, uint256 key, bytes32 result)
        internal
        view
        returns (IComputeEscrow.SignedAttestation memory)
    {
        return IComputeEscrow.SignedAttestation({
            provider: vm.addr(key), resultHash: result, signature: _sig(key, target.hashAttestation(orderHash, result))
        });
    }

    /// @dev The money invariant of one escrow in one currency.
    function _assertHolds(ComputeEscrow target, address currency) internal view {
        uint256 held = currency == NATIVE ? address(target).balance : usd.balanceOf(address(target));
        assertEq(held, target.totalDeposits(currency) + target.totalCredits(currency), "balance != deposits + credits");
    }
}

contract ComputeEscrowTest is EscrowSigning {
    uint256 internal constant PRICE = 1 ether;
    uint256 internal constant REQUESTER_KEY = 0xA11CE;
    uint256 internal constant P1_KEY = 0xB0B1;
    uint256 internal constant P2_KEY = 0xB0B2;
    uint256 internal constant P3_KEY = 0xB0B3;
    uint256 internal constant STRANGER_KEY = 0xBAD;

    address internal requester;
    address internal p1;
    address internal p2;
    address internal p3;
    uint256 internal modelId;

    function setUp() public override {
        super.setUp();
        modelId = mintModel(creator, 500);
        requester = vm.addr(REQUESTER_KEY);
        (p1, p2, p3) = (vm.addr(P1_KEY), vm.addr(P2_KEY), vm.addr(P3_KEY));
        registerProvider(p1, MIN_STAKE * 2);
        registerProvider(p2, MIN_STAKE * 2);
        registerProvider(p3, MIN_STAKE * 2);
        vm.deal(requester, 1_000 ether);
        vm.prank(requester);
        escrow.deposit{value: 10 ether}(NATIVE, 10 ether);
    }

    function _valid(uint256 nonce) internal view returns (IComputeEscrow.Settlement memory) {
        return _settlement(
            escrow, _order(requester, modelId, PRICE, 2, nonce), REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)
        );
    }

    function _expectSkip(IComputeEscrow.Settlement memory s, bytes4 reason) internal {
        uint256 balance = escrow.balanceOf(NATIVE, requester);
        uint256 credits = escrow.totalCredits(NATIVE);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSkipped(escrow.hashOrder(s.order), reason);
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 0, "settled count");
        assertEq(escrow.balanceOf(NATIVE, requester), balance, "requester charged by a skipped entry");
        assertEq(escrow.totalCredits(NATIVE), credits, "credits moved by a skipped entry");
        _assertHolds(escrow, NATIVE);
    }

    // ───────────────────────────── EIP-712 ─────────────────────────────

    function test_typeHashes_matchTheProtocolPackage() public view {
        assertEq(
            escrow.JOB_ORDER_TYPEHASH(),
            keccak256(
                "JobOrder(address requester,uint256 modelId,uint32 modelVersion,bytes32 inputHash,address currency,uint256 maxPrice,uint8 redundancy,uint8 verification,uint64 deadline,uint256 nonce)"
            ),
            "JobOrder type hash"
        );
        assertEq(
            escrow.RESULT_ATTESTATION_TYPEHASH(),
            keccak256("ResultAttestation(bytes32 orderHash,bytes32 resultHash)"),
            "ResultAttestation type hash"
        );
        bytes32 separator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Souk ComputeEscrow"),
                keccak256("1"),
                block.chainid,
                address(escrow)
            )
        );
        assertEq(escrow.domainSeparator(), separator, "domain separator");
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 7);
        bytes32 structHash = keccak256(
            abi.encode(
                escrow.JOB_ORDER_TYPEHASH(),
                o.requester,
                o.modelId,
                o.modelVersion,
                o.inputHash,
                o.currency,
                o.maxPrice,
                o.redundancy,
                o.verification,
                o.deadline,
                o.nonce
            )
        );
        assertEq(escrow.hashOrder(o), keccak256(abi.encodePacked("\x19\x01", separator, structHash)), "order hash");
    }

    // ───────────────────────────── deposits ─────────────────────────────

    function test_deposit_creditsTheBalanceInNativeAndErc20() public {
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "native");
        assertEq(escrow.totalDeposits(NATIVE), 10 ether, "native total");
        usd.mint(alice, 5e6);
        vm.startPrank(alice);
        usd.approve(address(escrow), 5e6);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.Deposited(address(usd), alice, alice, 5e6);
        escrow.deposit(address(usd), 5e6);
        vm.stopPrank();
        assertEq(escrow.balanceOf(address(usd), alice), 5e6, "usd");
        _assertHolds(escrow, address(usd));
    }

    function test_depositFor_creditsAnotherAccount() public {
        vm.deal(alice, 1 ether);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.Deposited(NATIVE, bob, alice, 1 ether);
        vm.prank(alice);
        escrow.depositFor{value: 1 ether}(bob, NATIVE, 1 ether);
        assertEq(escrow.balanceOf(NATIVE, bob), 1 ether, "bob's balance");
        assertEq(escrow.balanceOf(NATIVE, alice), 0, "alice's balance");
    }

    function test_deposit_revertsIfBadInput() public {
        vm.deal(alice, 10 ether);
        vm.startPrank(alice);
        vm.expectRevert(IComputeEscrow.SoukZeroAmount.selector);
        escrow.deposit(NATIVE, 0);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukIncorrectPayment.selector, 1 ether, 2 ether));
        escrow.deposit{value: 1 ether}(NATIVE, 2 ether);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukCurrencyNotAllowed.selector, address(souk)));
        escrow.deposit(address(souk), 1);
        vm.expectRevert(IComputeEscrow.SoukZeroAddress.selector);
        escrow.depositFor{value: 1 ether}(address(0), NATIVE, 1 ether);
        vm.stopPrank();
    }

    // ───────────────────────────── withdrawals ─────────────────────────────

    function test_withdraw_paysAfterTheDelay() public {
        vm.prank(requester);
        uint64 unlockAt = escrow.requestWithdrawal(NATIVE, 4 ether);
        assertEq(unlockAt, block.timestamp + WITHDRAWAL_DELAY, "unlockAt");
        (uint256 amount, uint64 at) = escrow.pendingWithdrawal(NATIVE, requester);
        assertEq(amount, 4 ether, "pending amount");
        assertEq(at, unlockAt, "pending unlockAt");

        vm.warp(unlockAt - 1);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeEscrow.SoukWithdrawalLocked.selector, requester, NATIVE, unlockAt)
        );
        escrow.withdraw(NATIVE, requester);

        vm.warp(unlockAt);
        uint256 before = alice.balance;
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.Withdrawn(NATIVE, requester, alice, 4 ether);
        vm.prank(requester);
        assertEq(escrow.withdraw(NATIVE, alice), 4 ether, "paid");
        assertEq(alice.balance, before + 4 ether, "received");
        assertEq(escrow.balanceOf(NATIVE, requester), 6 ether, "balance left");
        (amount, at) = escrow.pendingWithdrawal(NATIVE, requester);
        assertEq(amount + at, 0, "request cleared");
        _assertHolds(escrow, NATIVE);
    }

    function test_requestWithdrawal_replacesAndRestartsTheDelay() public {
        vm.prank(requester);
        escrow.requestWithdrawal(NATIVE, 1 ether);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY - 10);
        vm.prank(requester);
        uint64 unlockAt = escrow.requestWithdrawal(NATIVE, 2 ether);
        assertEq(unlockAt, block.timestamp + WITHDRAWAL_DELAY, "restarted");
        vm.warp(block.timestamp + 20); // the first request's delay is over, the second's is not
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeEscrow.SoukWithdrawalLocked.selector, requester, NATIVE, unlockAt)
        );
        escrow.withdraw(NATIVE, requester);
        vm.warp(unlockAt);
        vm.prank(requester);
        assertEq(escrow.withdraw(NATIVE, requester), 2 ether, "the replacement's amount");
    }

    function test_withdraw_paysSettledJobsFirst() public {
        vm.prank(requester);
        escrow.requestWithdrawal(NATIVE, 10 ether); // everything, while a job is in flight
        vm.warp(block.timestamp + 30 minutes);
        IComputeEscrow.Settlement memory s = _valid(1);
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 1, "the in-flight job settles: pending withdrawals reserve nothing");
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.prank(requester);
        assertEq(escrow.withdraw(NATIVE, requester), 9 ether, "min(requested, balance)");
        assertEq(escrow.balanceOf(NATIVE, requester), 0, "drained");
        vm.prank(requester);
        escrow.requestWithdrawal(NATIVE, 1);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukNothingToWithdraw.selector, requester, NATIVE));
        escrow.withdraw(NATIVE, requester);
        _assertHolds(escrow, NATIVE);
    }

    function test_withdraw_revertsWithoutARequestOrAfterCancel() public {
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNoPendingWithdrawal.selector, requester, NATIVE));
        escrow.withdraw(NATIVE, requester);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNoPendingWithdrawal.selector, requester, NATIVE));
        escrow.cancelWithdrawal(NATIVE);
        vm.expectRevert(IComputeEscrow.SoukZeroAmount.selector);
        escrow.requestWithdrawal(NATIVE, 0);
        escrow.requestWithdrawal(NATIVE, 1 ether);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.WithdrawalCancelled(NATIVE, requester);
        escrow.cancelWithdrawal(NATIVE);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNoPendingWithdrawal.selector, requester, NATIVE));
        escrow.withdraw(NATIVE, requester);
        vm.expectRevert(IComputeEscrow.SoukZeroAddress.selector);
        escrow.withdraw(NATIVE, address(0));
        vm.stopPrank();
    }

    function test_withdraw_revertsIfTheReceiverRejectsNative() public {
        RevertingReceiver reverter = new RevertingReceiver();
        vm.prank(requester);
        escrow.requestWithdrawal(NATIVE, 1 ether);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IPayouts.SoukWithdrawalFailed.selector, address(reverter), 1 ether));
        escrow.withdraw(NATIVE, address(reverter));
    }

    function test_pause_blocksDepositAndSettleButNeverWithdrawals() public {
        vm.prank(requester);
        escrow.requestWithdrawal(NATIVE, 1 ether);
        IComputeEscrow.Settlement[] memory first = _one(_valid(1));
        vm.prank(settler);
        escrow.settleBatch(first);
        vm.prank(guardian);
        escrow.pause();

        vm.prank(requester);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        escrow.deposit{value: 1 ether}(NATIVE, 1 ether);
        vm.prank(requester);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        escrow.depositFor{value: 1 ether}(alice, NATIVE, 1 ether);
        IComputeEscrow.Settlement[] memory second = _one(_valid(2));
        vm.prank(settler);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        escrow.settleBatch(second);

        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.startPrank(requester);
        escrow.requestWithdrawal(NATIVE, 2 ether); // requests and cancels work too
        escrow.cancelWithdrawal(NATIVE);
        escrow.requestWithdrawal(NATIVE, 1 ether);
        vm.stopPrank();
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.prank(requester);
        assertEq(escrow.withdraw(NATIVE, requester), 1 ether, "withdraw while paused");
        vm.prank(p1);
        assertEq(escrow.withdrawCredits(NATIVE, p1), 0.4 ether, "credits while paused");
        _assertHolds(escrow, NATIVE);
    }

    // ───────────────────────────── settleBatch ─────────────────────────────

    function test_settleBatch_debitsTheRequesterAndCreditsEveryPayee() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        bytes32 orderHash = escrow.hashOrder(s.order);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSettled(orderHash, requester, modelId, NATIVE, PRICE, RESULT, s.providers);
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 1, "settled");
        assertEq(escrow.balanceOf(NATIVE, requester), 9 ether, "debited");
        assertEq(escrow.creditsOf(NATIVE, p1), 0.4 ether, "p1: 80 % / 2");
        assertEq(escrow.creditsOf(NATIVE, p2), 0.4 ether, "p2");
        assertEq(escrow.creditsOf(NATIVE, creator), 0.05 ether, "creator: 5 %");
        assertEq(escrow.creditsOf(NATIVE, treasury), 0.15 ether, "treasury: 15 %");
        assertTrue(escrow.nonceUsed(requester, 1), "nonce used");
        assertFalse(escrow.nonceUsed(requester, 2), "other nonce untouched");
        _assertHolds(escrow, NATIVE);

        uint256 before = p1.balance;
        vm.prank(p1);
        escrow.withdrawCredits(NATIVE, p1);
        assertEq(p1.balance, before + 0.4 ether, "provider pulls its credit");
        _assertHolds(escrow, NATIVE);
    }

    function test_settleBatch_sendsTheRoundingDustToTheTreasury() public {
        uint256 amount = 1_000_000_007; // wei; r = 3 leaves dust
        uint256[] memory keys = new uint256[](3);
        (keys[0], keys[1], keys[2]) = (P1_KEY, P2_KEY, P3_KEY);
        IComputeEscrow.Settlement memory s =
            _settlement(escrow, _order(requester, modelId, amount, 3, 1), REQUESTER_KEY, amount, RESULT, keys);
        vm.prank(settler);
        escrow.settleBatch(_one(s));
        uint256 each = amount * 8_000 / 10_000 / 3;
        uint256 creatorShare = amount * 500 / 10_000;
        assertEq(escrow.creditsOf(NATIVE, p3), each, "each provider");
        assertEq(escrow.creditsOf(NATIVE, treasury), amount - 3 * each - creatorShare, "treasury: share + dust");
        assertEq(escrow.totalCredits(NATIVE), amount, "every wei credited");
    }

    function test_settleBatch_skipsADuplicateInTheSameBatch() public {
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](3);
        b[0] = _valid(1);
        b[1] = b[0];
        b[2] = _valid(2);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSkipped(escrow.hashOrder(b[1].order), IComputeEscrow.SoukNonceUsed.selector);
        vm.prank(settler);
        assertEq(escrow.settleBatch(b), 2, "the duplicate is skipped, the rest settles");
        assertEq(escrow.balanceOf(NATIVE, requester), 8 ether, "charged twice, not three times");
    }

    // ───────────────────────────── nonce invalidation ─────────────────────────────

    /// @dev Regression: `invalidateNonces` took effect at once, so a requester holding a verified result could
    /// cancel the order's nonce before its batch landed and leave the providers who ran it unpaid.
    function test_invalidateNonces_cannotCancelAnOrderAlreadyAnswered() public {
        IComputeEscrow.Settlement memory s = _valid(5); // answered off-chain; its batch not yet sent
        vm.prank(requester);
        escrow.requestNonceInvalidation(0, 1 << 5); // front-runs the batch
        assertFalse(escrow.nonceUsed(requester, 5), "a pending invalidation does not use the nonce");
        vm.warp(block.timestamp + 2); // the batch lands a block later
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 1, "the answered order is paid");
        assertEq(escrow.creditsOf(NATIVE, p1), 0.4 ether, "p1 paid");
        assertEq(escrow.creditsOf(NATIVE, p2), 0.4 ether, "p2 paid");
        assertTrue(escrow.nonceUsed(requester, 5), "settled");
        _expectSkip(s, IComputeEscrow.SoukNonceUsed.selector); // and only once
        // Taking effect later changes nothing: the order stays settled, the providers stay paid.
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.prank(requester);
        escrow.completeNonceInvalidation(0);
        assertTrue(escrow.nonceUsed(requester, 5), "still used");
        assertEq(escrow.balanceOf(NATIVE, requester), 9 ether, "charged exactly once");
        assertEq(escrow.creditsOf(NATIVE, p1), 0.4 ether, "p1 keeps its pay");
    }

    function test_requestNonceInvalidation_takesEffectAfterTheWithdrawalDelay() public {
        uint64 effectiveAt = uint64(block.timestamp + WITHDRAWAL_DELAY);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.NonceInvalidationRequested(requester, 0, 1 << 5, effectiveAt);
        vm.prank(requester);
        assertEq(escrow.requestNonceInvalidation(0, 1 << 5), effectiveAt, "effectiveAt");
        (uint256 mask, uint64 at) = escrow.pendingNonceInvalidation(requester, 0);
        assertEq(mask, 1 << 5, "pending mask");
        assertEq(at, effectiveAt, "pending effectiveAt");

        vm.warp(effectiveAt - 1);
        assertFalse(escrow.nonceUsed(requester, 5), "one second before");
        vm.warp(effectiveAt);
        assertTrue(escrow.nonceUsed(requester, 5), "in effect at effectiveAt, completed or not");
        assertFalse(escrow.nonceUsed(requester, 4), "other bits untouched");
        _expectSkip(_valid(5), IComputeEscrow.SoukNonceUsed.selector);
        IComputeEscrow.Settlement[] memory other = _one(_valid(4));
        vm.prank(settler);
        assertEq(escrow.settleBatch(other), 1, "another nonce of the word settles");

        // An invalidation in effect also blocks a dispute of the order.
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 5);
        bytes memory sig = _sig(REQUESTER_KEY, escrow.hashOrder(o));
        IComputeEscrow.SignedAttestation[] memory a = _two(o, RESULT, WRONG);
        vm.prank(referee);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNonceUsed.selector, requester, 5));
        escrow.settleDispute(o, sig, PRICE, RESULT, a, _verdicts(a));
    }

    function test_completeNonceInvalidation_writesTheBitmapOnlyOnceInEffect() public {
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNoPendingNonceInvalidation.selector, requester, 3));
        escrow.completeNonceInvalidation(3);

        vm.prank(requester);
        uint64 effectiveAt = escrow.requestNonceInvalidation(3, 1 | 1 << 200);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeEscrow.SoukNonceInvalidationLocked.selector, requester, 3, effectiveAt)
        );
        escrow.completeNonceInvalidation(3);
        vm.prank(alice); // a stranger has nothing pending in that word
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNoPendingNonceInvalidation.selector, alice, 3));
        escrow.completeNonceInvalidation(3);

        vm.warp(effectiveAt);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.NoncesInvalidated(requester, 3, 1 | 1 << 200);
        vm.prank(requester);
        escrow.completeNonceInvalidation(3);
        (uint256 mask, uint64 at) = escrow.pendingNonceInvalidation(requester, 3);
        assertEq(mask, 0, "cleared");
        assertEq(at, 0, "cleared");
        assertTrue(escrow.nonceUsed(requester, 3 << 8), "bit 0 written");
        assertTrue(escrow.nonceUsed(requester, (3 << 8) + 200), "bit 200 written");
        _expectSkip(_valid(3 << 8), IComputeEscrow.SoukNonceUsed.selector);
    }

    function test_requestNonceInvalidation_addsToAPendingRequestAndRestartsItsDelay() public {
        vm.prank(requester);
        vm.expectRevert(IComputeEscrow.SoukZeroMask.selector);
        escrow.requestNonceInvalidation(0, 0);

        vm.prank(requester);
        escrow.requestNonceInvalidation(0, 1 << 1);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY - 10);
        uint64 restarted = uint64(block.timestamp + WITHDRAWAL_DELAY);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.NonceInvalidationRequested(requester, 0, 1 << 1 | 1 << 2, restarted);
        vm.prank(requester);
        escrow.requestNonceInvalidation(0, 1 << 2);
        vm.warp(block.timestamp + 10);
        assertFalse(escrow.nonceUsed(requester, 1), "the earlier bit waits the restarted delay");
        vm.warp(restarted);
        assertTrue(escrow.nonceUsed(requester, 1), "bit 1 in effect");
        assertTrue(escrow.nonceUsed(requester, 2), "bit 2 in effect");

        // A request already in effect is written into the bitmap first and keeps its effect.
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.NoncesInvalidated(requester, 0, 1 << 1 | 1 << 2);
        vm.prank(requester);
        escrow.requestNonceInvalidation(0, 1 << 3);
        assertTrue(escrow.nonceUsed(requester, 1), "still in effect");
        assertFalse(escrow.nonceUsed(requester, 3), "the new bit waits");
        (uint256 mask,) = escrow.pendingNonceInvalidation(requester, 0);
        assertEq(mask, 1 << 3, "only the new bit pending");
    }

    /// @dev An order settles when its batch lands before the invalidation is in effect and is skipped after.
    function test_fuzz_requestNonceInvalidation_settlesOnlyBeforeItTakesEffect(uint16 nonceSeed, uint32 lag)
        public
    {
        uint256 nonce = uint256(nonceSeed) % 1024;
        lag = uint32(bound(lag, 0, 2 * WITHDRAWAL_DELAY));
        vm.prank(requester);
        uint64 effectiveAt = escrow.requestNonceInvalidation(nonce >> 8, 1 << (nonce & 0xff));
        vm.warp(block.timestamp + lag);
        IComputeEscrow.Settlement memory s = _valid(nonce); // signed now, so its deadline has not passed
        bool before = block.timestamp < effectiveAt;
        assertEq(escrow.nonceUsed(requester, nonce), !before, "nonceUsed");
        if (before) {
            vm.prank(settler);
            assertEq(escrow.settleBatch(_one(s)), 1, "settles before the invalidation is in effect");
            assertEq(escrow.balanceOf(NATIVE, requester), 10 ether - PRICE, "charged");
            vm.warp(effectiveAt); // once in effect, the settled order is not settled again
        } else {
            assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "nothing charged yet");
        }
        _expectSkip(s, IComputeEscrow.SoukNonceUsed.selector);
        assertTrue(escrow.nonceUsed(requester, nonce), "used either way");
    }

    function test_pause_neverBlocksNonceInvalidation() public {
        vm.prank(guardian);
        escrow.pause();
        vm.prank(requester);
        uint64 effectiveAt = escrow.requestNonceInvalidation(0, 1);
        vm.warp(effectiveAt);
        vm.prank(requester);
        escrow.completeNonceInvalidation(0);
        assertTrue(escrow.nonceUsed(requester, 0), "invalidated while paused");
    }

    function test_settleBatch_skipsAnExpiredOrder() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        vm.warp(s.order.deadline + 1);
        _expectSkip(s, IComputeEscrow.SoukOrderExpired.selector);
    }

    function test_settleBatch_settlesAtTheDeadlineSecond() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        vm.warp(s.order.deadline);
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 1, "settled at the deadline");
    }

    function test_settleBatch_settlesTheToleranceClassOnOneRepresentativeResult() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        o.verification = escrow.VERIFICATION_TOLERANCE();
        // Every provider signs the one representative result hash, as in the exact class.
        IComputeEscrow.Settlement[] memory b =
            _one(_settlement(escrow, o, REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)));
        vm.prank(settler);
        assertEq(escrow.settleBatch(b), 1, "settled");
        assertEq(escrow.creditsOf(NATIVE, p1), 0.4 ether, "paid as an exact order");
        _assertHolds(escrow, NATIVE);
    }

    function test_settleBatch_skipsUnsupportedVerification() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        o.verification = 2;
        _expectSkip(
            _settlement(escrow, o, REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)),
            IComputeEscrow.SoukUnsupportedVerification.selector
        );
    }

    function test_settleBatch_skipsInvalidRedundancy() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 0, 1);
        _expectSkip(
            _settlement(escrow, o, REQUESTER_KEY, PRICE, RESULT, new uint256[](0)),
            IComputeEscrow.SoukInvalidRedundancy.selector
        );
        uint256[] memory six = new uint256[](6);
        for (uint256 i; i < 6; ++i) {
            six[i] = 0xC000 + i;
        }
        o = _order(requester, modelId, PRICE, 6, 2);
        _expectSkip(
            _settlement(escrow, o, REQUESTER_KEY, PRICE, RESULT, six), IComputeEscrow.SoukInvalidRedundancy.selector
        );
    }

    function test_settleBatch_skipsTheWrongNumberOfProvidersOrSignatures() public {
        uint256[] memory one = new uint256[](1);
        one[0] = P1_KEY;
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        _expectSkip(
            _settlement(escrow, o, REQUESTER_KEY, PRICE, RESULT, one), IComputeEscrow.SoukWrongProviderCount.selector
        );
        IComputeEscrow.Settlement memory s = _valid(2);
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = s.providerSignatures[0];
        s.providerSignatures = sigs;
        _expectSkip(s, IComputeEscrow.SoukWrongProviderCount.selector);
    }

    function test_settleBatch_skipsAnAmountAboveMaxPrice() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        s.amount = PRICE + 1;
        _expectSkip(s, IComputeEscrow.SoukPriceAboveMax.selector);
    }

    function test_settleBatch_skipsAnAmountAboveTheBalance() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, 11 ether, 2, 1);
        _expectSkip(
            _settlement(escrow, o, REQUESTER_KEY, 11 ether, RESULT, _keys(P1_KEY, P2_KEY)),
            IComputeEscrow.SoukInsufficientBalance.selector
        );
    }

    function test_settleBatch_skipsAForeignRequesterSignature() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        s.requesterSignature = _sig(STRANGER_KEY, escrow.hashOrder(s.order));
        _expectSkip(s, IComputeEscrow.SoukInvalidRequesterSignature.selector);
        s.requesterSignature = hex"1234"; // not even 65 bytes
        _expectSkip(s, IComputeEscrow.SoukInvalidRequesterSignature.selector);
    }

    function test_settleBatch_skipsAForeignOrWrongAttestation() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        bytes32 orderHash = escrow.hashOrder(s.order);
        s.providerSignatures[1] = _sig(STRANGER_KEY, escrow.hashAttestation(orderHash, RESULT));
        _expectSkip(s, IComputeEscrow.SoukInvalidAttestation.selector);
        s = _valid(1);
        s.providerSignatures[1] = _sig(P2_KEY, escrow.hashAttestation(orderHash, WRONG)); // p2 signed another result
        _expectSkip(s, IComputeEscrow.SoukInvalidAttestation.selector);
    }

    function test_settleBatch_skipsADuplicateProvider() public {
        _expectSkip(
            _settlement(
                escrow, _order(requester, modelId, PRICE, 2, 1), REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P1_KEY)
            ),
            IComputeEscrow.SoukDuplicateProvider.selector
        );
    }

    function test_settleBatch_skipsAnInactiveProvider() public {
        _expectSkip(
            _settlement(
                escrow,
                _order(requester, modelId, PRICE, 2, 1),
                REQUESTER_KEY,
                PRICE,
                RESULT,
                _keys(P1_KEY, STRANGER_KEY)
            ),
            IComputeEscrow.SoukProviderNotActive.selector
        );
        vm.prank(p2);
        registry.requestUnbond(MIN_STAKE * 2); // below the minimum: inactive
        _expectSkip(_valid(2), IComputeEscrow.SoukProviderNotActive.selector);
    }

    function test_settleBatch_skipsAnUnknownModel() public {
        _expectSkip(
            _settlement(
                escrow, _order(requester, 999, PRICE, 2, 1), REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)
            ),
            IComputeEscrow.SoukUnknownModel.selector
        );
    }

    function test_settleBatch_skipsAnOrderSignedForAnotherDeployment() public {
        ComputeEscrow other = new ComputeEscrow(
            nft,
            registry,
            ComputeEscrow.Config({
                admin: admin,
                guardian: guardian,
                treasury: treasury,
                slashAmount: SLASH_AMOUNT,
                withdrawalDelay: WITHDRAWAL_DELAY,
                disputePeriod: DISPUTE_PERIOD
            })
        );
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        vm.assertNotEq(uint256(other.hashOrder(o)), uint256(escrow.hashOrder(o)), "orderHash differs per deployment");
        // Signed (order and attestations) for `other`, replayed on `escrow`.
        _expectSkip(
            _settlement(other, o, REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)),
            IComputeEscrow.SoukInvalidRequesterSignature.selector
        );
        // A valid order for `escrow` with attestations made for `other`.
        IComputeEscrow.Settlement memory s = _valid(1);
        IComputeEscrow.Settlement memory foreign =
            _settlement(other, s.order, REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY));
        s.providerSignatures = foreign.providerSignatures;
        _expectSkip(s, IComputeEscrow.SoukInvalidAttestation.selector);
    }

    function test_settleBatch_skipsAnOrderSignedOnAnotherChain() public {
        IComputeEscrow.Settlement memory s = _valid(1);
        bytes32 here = escrow.hashOrder(s.order);
        vm.chainId(block.chainid + 1);
        vm.assertNotEq(uint256(escrow.hashOrder(s.order)), uint256(here), "orderHash differs per chain");
        _expectSkip(s, IComputeEscrow.SoukInvalidRequesterSignature.selector);
    }

    function test_settleBatch_acceptsAnErc1271Requester() public {
        OwnedWallet wallet = new OwnedWallet(vm.addr(REQUESTER_KEY));
        vm.prank(requester);
        escrow.depositFor{value: 1 ether}(address(wallet), NATIVE, 1 ether);
        IComputeEscrow.Settlement memory s = _settlement(
            escrow, _order(address(wallet), modelId, PRICE, 2, 1), REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)
        );
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 1, "wallet-signed order settles");
        assertEq(escrow.balanceOf(NATIVE, address(wallet)), 0, "wallet charged");
        // The wallet refuses a stranger's signature.
        s = _settlement(
            escrow, _order(address(wallet), modelId, 0, 2, 2), STRANGER_KEY, 0, RESULT, _keys(P1_KEY, P2_KEY)
        );
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 0, "stranger refused by the wallet");
    }

    function test_settleBatch_boundsAGasBurningWallet() public {
        GasBurningWallet wallet = new GasBurningWallet();
        vm.prank(requester);
        escrow.depositFor{value: 1 ether}(address(wallet), NATIVE, 1 ether);
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](2);
        b[0] = _settlement(
            escrow, _order(address(wallet), modelId, PRICE, 2, 1), REQUESTER_KEY, PRICE, RESULT, _keys(P1_KEY, P2_KEY)
        );
        b[1] = _valid(1);
        vm.prank(settler);
        (bool ok, bytes memory ret) = address(escrow).call{gas: 1_000_000}(abi.encodeCall(escrow.settleBatch, (b)));
        assertTrue(ok, "the batch survives the burner");
        assertEq(abi.decode(ret, (uint256)), 1, "the burner's entry is skipped, the next settles");
    }

    function test_settleBatch_revertsWithoutSettlerRole() public {
        IComputeEscrow.Settlement[] memory b = _one(_valid(1));
        bytes32 role = escrow.SETTLER_ROLE();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        escrow.settleBatch(b);
    }

    function test_settleBatch_chargesTheZeroPriceOrderNothing() public {
        IComputeEscrow.Settlement memory s =
            _settlement(escrow, _order(requester, modelId, 0, 2, 1), REQUESTER_KEY, 0, RESULT, _keys(P1_KEY, P2_KEY));
        vm.prank(settler);
        assertEq(escrow.settleBatch(_one(s)), 1, "settled");
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "nothing charged");
        assertTrue(escrow.nonceUsed(requester, 1), "but the order is spent");
    }

    // ───────────────────────────── settleDispute ─────────────────────────────

    function _dispute(IComputeEscrow.JobOrder memory o, uint256 amount, IComputeEscrow.SignedAttestation[] memory a)
        internal
    {
        bytes memory sig = _sig(REQUESTER_KEY, escrow.hashOrder(o));
        vm.prank(referee);
        escrow.settleDispute(o, sig, amount, RESULT, a, _verdicts(a));
    }

    /// @dev The exact class's only valid verdicts: bit i set when attestation i is of `RESULT`.
    function _verdicts(IComputeEscrow.SignedAttestation[] memory a) internal pure returns (uint256 mask) {
        for (uint256 i; i < a.length; ++i) {
            if (a[i].resultHash == RESULT) mask |= 1 << i;
        }
    }

    function _two(IComputeEscrow.JobOrder memory o, bytes32 r1, bytes32 r2)
        internal
        view
        returns (IComputeEscrow.SignedAttestation[] memory a)
    {
        bytes32 h = escrow.hashOrder(o);
        a = new IComputeEscrow.SignedAttestation[](2);
        a[0] = _attestation(escrow, h, P1_KEY, r1);
        a[1] = _attestation(escrow, h, P2_KEY, r2);
    }

    function test_settleDispute_paysTheRightAndSlashesTheWrong() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        uint256 stake2 = registry.getProvider(p2).stake;
        address[] memory paid = new address[](1);
        paid[0] = p1;
        address[] memory slashed = new address[](1);
        slashed[0] = p2;
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSettled(escrow.hashOrder(o), requester, modelId, NATIVE, PRICE, RESULT, paid);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.DisputeSettled(escrow.hashOrder(o), RESULT, paid, slashed);
        _dispute(o, PRICE, _two(o, RESULT, WRONG));
        assertEq(escrow.creditsOf(NATIVE, p1), 0.8 ether, "the one right provider takes the providers' share");
        assertEq(escrow.creditsOf(NATIVE, p2), 0, "the wrong one is not paid");
        assertEq(registry.getProvider(p2).stake, stake2 - SLASH_AMOUNT, "the wrong one is slashed");
        assertEq(escrow.balanceOf(NATIVE, requester), 9 ether, "charged once");
        assertTrue(escrow.nonceUsed(requester, 1), "nonce used");
        _assertHolds(escrow, NATIVE);

        // The same order cannot then be settled in a batch, nor disputed again.
        IComputeEscrow.Settlement memory s = _valid(1);
        _expectSkip(s, IComputeEscrow.SoukNonceUsed.selector);
        bytes memory sig = _sig(REQUESTER_KEY, escrow.hashOrder(o));
        IComputeEscrow.SignedAttestation[] memory a = _two(o, RESULT, WRONG);
        vm.prank(referee);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukNonceUsed.selector, requester, 1));
        escrow.settleDispute(o, sig, PRICE, RESULT, a, _verdicts(a));
    }

    function test_settleDispute_chargesNobodyWhenAllAreWrong() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        uint256 stake1 = registry.getProvider(p1).stake;
        _dispute(o, PRICE, _two(o, WRONG, keccak256("other")));
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "nobody charged");
        assertEq(registry.getProvider(p1).stake, stake1 - SLASH_AMOUNT, "both slashed");
        assertEq(escrow.totalCredits(NATIVE), 0, "nothing credited");
    }

    function test_settleDispute_afterTheDeadlineSlashesButChargesNobody() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        vm.warp(o.deadline + DISPUTE_PERIOD); // the last second of the dispute window
        uint256 stake2 = registry.getProvider(p2).stake;
        address[] memory none = new address[](0);
        address[] memory slashed = new address[](1);
        slashed[0] = p2;
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.DisputeSettled(escrow.hashOrder(o), RESULT, none, slashed);
        _dispute(o, PRICE, _two(o, RESULT, WRONG));
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "an expired order is never charged");
        assertEq(registry.getProvider(p2).stake, stake2 - SLASH_AMOUNT, "slashed on its own signature");
    }

    function test_settleDispute_chargesNobodyWithoutTheBalance() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, 20 ether, 2, 1);
        _dispute(o, 20 ether, _two(o, RESULT, WRONG));
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "not charged");
        assertEq(escrow.creditsOf(NATIVE, p1), 0, "not paid");
    }

    function test_settleDispute_doesNotPayAnInactiveRightProvider() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        vm.prank(p1);
        registry.requestUnbond(MIN_STAKE * 2);
        _dispute(o, PRICE, _two(o, RESULT, WRONG));
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether, "no active right provider: nobody charged");
    }

    function test_settleDispute_revertsIfInvalid() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        bytes32 h = escrow.hashOrder(o);
        bytes memory sig = _sig(REQUESTER_KEY, h);
        IComputeEscrow.SignedAttestation[] memory a = _two(o, RESULT, WRONG);
        vm.startPrank(referee);

        vm.expectRevert(IComputeEscrow.SoukZeroHash.selector);
        escrow.settleDispute(o, sig, PRICE, bytes32(0), a, _verdicts(a));

        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidRequesterSignature.selector, h, requester));
        escrow.settleDispute(o, _sig(STRANGER_KEY, h), PRICE, RESULT, a, _verdicts(a));

        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukPriceAboveMax.selector, h, PRICE + 1, PRICE));
        escrow.settleDispute(o, sig, PRICE + 1, RESULT, a, _verdicts(a));

        IComputeEscrow.SignedAttestation[] memory none = new IComputeEscrow.SignedAttestation[](0);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukWrongProviderCount.selector, h, 0, 2));
        escrow.settleDispute(o, sig, PRICE, RESULT, none, _verdicts(none));

        IComputeEscrow.SignedAttestation[] memory three = new IComputeEscrow.SignedAttestation[](3);
        (three[0], three[1], three[2]) = (a[0], a[1], _attestation(escrow, h, P3_KEY, RESULT));
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukWrongProviderCount.selector, h, 3, 2));
        escrow.settleDispute(o, sig, PRICE, RESULT, three, _verdicts(three));

        IComputeEscrow.SignedAttestation[] memory dup = new IComputeEscrow.SignedAttestation[](2);
        (dup[0], dup[1]) = (a[0], a[0]);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukDuplicateProvider.selector, h, p1));
        escrow.settleDispute(o, sig, PRICE, RESULT, dup, _verdicts(dup));

        IComputeEscrow.SignedAttestation[] memory forged = _two(o, RESULT, WRONG);
        forged[1].resultHash = RESULT; // claims p2 said RESULT; p2 signed WRONG
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidAttestation.selector, h, p2));
        escrow.settleDispute(o, sig, PRICE, RESULT, forged, _verdicts(forged));

        vm.warp(o.deadline + DISPUTE_PERIOD + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeEscrow.SoukDisputeWindowClosed.selector, h, o.deadline + DISPUTE_PERIOD)
        );
        escrow.settleDispute(o, sig, PRICE, RESULT, a, _verdicts(a));
        vm.stopPrank();

        bytes32 role = escrow.REFEREE_ROLE();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        escrow.settleDispute(o, sig, PRICE, RESULT, a, _verdicts(a));
    }

    function test_settleDispute_revertsForUnsupportedVerification() public {
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, 1);
        o.verification = 2;
        bytes memory sig = _sig(REQUESTER_KEY, escrow.hashOrder(o));
        IComputeEscrow.SignedAttestation[] memory a = _two(o, RESULT, WRONG);
        vm.prank(referee);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukUnsupportedVerification.selector, 2));
        escrow.settleDispute(o, sig, PRICE, RESULT, a, _verdicts(a));
    }

    function _three(IComputeEscrow.JobOrder memory o, bytes32 r1, bytes32 r2, bytes32 r3)
        internal
        view
        returns (IComputeEscrow.SignedAttestation[] memory a)
    {
        bytes32 h = escrow.hashOrder(o);
        a = new IComputeEscrow.SignedAttestation[](3);
        a[0] = _attestation(escrow, h, P1_KEY, r1);
        a[1] = _attestation(escrow, h, P2_KEY, r2);
        a[2] = _attestation(escrow, h, P3_KEY, r3);
    }

    function _toleranceOrder(uint8 r) internal view returns (IComputeEscrow.JobOrder memory o) {
        o = _order(requester, modelId, PRICE, r, 1);
        o.verification = escrow.VERIFICATION_TOLERANCE();
    }

    function test_settleDispute_toleranceSlashesExactlyTheRejectedOnTheirOwnResults() public {
        IComputeEscrow.JobOrder memory o = _toleranceOrder(3);
        // Three different result hashes (three machines); the referee accepts p1 and p3, rejects p2.
        IComputeEscrow.SignedAttestation[] memory a = _three(o, keccak256("p1 own"), WRONG, keccak256("p3 own"));
        (uint256 s1, uint256 s2, uint256 s3) =
            (registry.getProvider(p1).stake, registry.getProvider(p2).stake, registry.getProvider(p3).stake);
        address[] memory paid = new address[](2);
        (paid[0], paid[1]) = (p1, p3);
        address[] memory slashed = new address[](1);
        slashed[0] = p2;
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.DisputeSettled(escrow.hashOrder(o), RESULT, paid, slashed);
        bytes memory sig = _sig(REQUESTER_KEY, escrow.hashOrder(o));
        vm.prank(referee);
        escrow.settleDispute(o, sig, PRICE, RESULT, a, 0x5);
        assertEq(registry.getProvider(p1).stake, s1, "accepted: not slashed");
        assertEq(registry.getProvider(p3).stake, s3, "accepted: not slashed");
        assertEq(registry.getProvider(p2).stake, s2 - SLASH_AMOUNT, "rejected: slashed");
        assertEq(escrow.creditsOf(NATIVE, p1), 0.4 ether, "the accepted share the providers' part");
        assertEq(escrow.creditsOf(NATIVE, p3), 0.4 ether, "the accepted share the providers' part");
        assertEq(escrow.creditsOf(NATIVE, p2), 0, "the rejected one is not paid");
        _assertHolds(escrow, NATIVE);
    }

    function test_settleDispute_revertsIfVerdictsContradictTheHashes() public {
        IComputeEscrow.JobOrder memory exact = _order(requester, modelId, PRICE, 2, 1);
        bytes32 h = escrow.hashOrder(exact);
        bytes memory sig = _sig(REQUESTER_KEY, h);
        IComputeEscrow.SignedAttestation[] memory a = _two(exact, RESULT, WRONG);
        vm.startPrank(referee);
        // Exact: WRONG cannot be accepted, RESULT cannot be rejected.
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidVerdicts.selector, h, 3));
        escrow.settleDispute(exact, sig, PRICE, RESULT, a, 3);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidVerdicts.selector, h, 0));
        escrow.settleDispute(exact, sig, PRICE, RESULT, a, 0);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidVerdicts.selector, h, 5));
        escrow.settleDispute(exact, sig, PRICE, RESULT, a, 5); // a bit beyond the two attestations

        // Tolerance: a result identical to the referee's cannot be judged outside tolerance.
        IComputeEscrow.JobOrder memory tol = _toleranceOrder(2);
        bytes32 th = escrow.hashOrder(tol);
        IComputeEscrow.SignedAttestation[] memory b = _two(tol, RESULT, WRONG);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidVerdicts.selector, th, 2));
        escrow.settleDispute(tol, _sig(REQUESTER_KEY, th), PRICE, RESULT, b, 2);
        vm.stopPrank();
        assertFalse(escrow.nonceUsed(requester, 1), "nothing settled");
    }

    /// @dev Any verdicts over three distinct results: the rejected are slashed, the accepted paid, money conserved.
    function test_fuzz_settleDispute_toleranceFollowsTheVerdicts(uint8 seed) public {
        uint256 mask = seed & 7;
        IComputeEscrow.JobOrder memory o = _toleranceOrder(3);
        IComputeEscrow.SignedAttestation[] memory a = _three(o, keccak256("a"), keccak256("b"), keccak256("c"));
        uint256[3] memory before_ =
            [uint256(registry.getProvider(p1).stake), registry.getProvider(p2).stake, registry.getProvider(p3).stake];
        bytes memory sig = _sig(REQUESTER_KEY, escrow.hashOrder(o));
        vm.prank(referee);
        escrow.settleDispute(o, sig, PRICE, RESULT, a, mask);
        uint256 accepted = (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1);
        address[3] memory ps = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            bool ok = (mask >> i) & 1 == 1;
            assertEq(
                registry.getProvider(ps[i]).stake, ok ? before_[i] : before_[i] - SLASH_AMOUNT, "slashed iff rejected"
            );
            assertEq(escrow.creditsOf(NATIVE, ps[i]), ok ? PRICE * 8_000 / 10_000 / accepted : 0, "paid iff accepted");
        }
        assertEq(escrow.balanceOf(NATIVE, requester), accepted == 0 ? 10 ether : 9 ether, "charged iff someone paid");
        _assertHolds(escrow, NATIVE);
    }

    // ───────────────────────────── governance ─────────────────────────────

    function test_governance_setsParametersWithinBounds() public {
        vm.startPrank(admin);
        escrow.setRevenueSplit(7_000, 2_000, 1_000);
        assertEq(escrow.providerBps() + escrow.treasuryBps() + escrow.creatorBps(), 10_000, "split");
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidSplit.selector, 7_000, 2_000, 1_001));
        escrow.setRevenueSplit(7_000, 2_000, 1_001);
        escrow.setWithdrawalDelay(1 days);
        assertEq(escrow.withdrawalDelay(), 1 days, "delay");
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidDuration.selector, 59));
        escrow.setWithdrawalDelay(59);
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidDuration.selector, 31 days));
        escrow.setDisputePeriod(31 days);
        escrow.setDisputePeriod(2 hours);
        escrow.setSlashAmount(5 ether);
        assertEq(escrow.slashAmount(), 5 ether, "slash");
        vm.expectRevert(
            abi.encodeWithSelector(IComputeEscrow.SoukInvalidSlashAmount.selector, uint256(type(uint96).max) + 1)
        );
        escrow.setSlashAmount(uint256(type(uint96).max) + 1);
        vm.expectRevert(IComputeEscrow.SoukZeroAddress.selector);
        escrow.setTreasury(address(0));
        escrow.setTreasury(bob);
        vm.stopPrank();

        // The new split and treasury apply to the next settlement.
        IComputeEscrow.Settlement[] memory b = _one(_valid(1));
        vm.prank(settler);
        escrow.settleBatch(b);
        assertEq(escrow.creditsOf(NATIVE, p1), 0.35 ether, "70 % / 2");
        assertEq(escrow.creditsOf(NATIVE, bob), 0.2 ether, "new treasury, 20 %");

        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        escrow.setWithdrawalDelay(1 days);
    }

    /// Regression "providers can unbond before their orders' disputes close": with the per-job market gone nothing
    /// set the registry's unbonding floor, so governance could shorten unbonding below withdrawal delay + dispute
    /// period and a provider could withdraw while an order it signed was still disputable.
    function test_unbondingFloor_followsWithdrawalDelayAndDisputePeriod() public {
        escrow.syncUnbondingFloor(); // anyone
        assertEq(registry.minUnbondingPeriod(), WITHDRAWAL_DELAY + DISPUTE_PERIOD, "floor pushed");
        vm.startPrank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.SoukUnbondingPeriodTooShort.selector,
                WITHDRAWAL_DELAY + DISPUTE_PERIOD - 1,
                WITHDRAWAL_DELAY + DISPUTE_PERIOD
            )
        );
        registry.setUnbondingPeriod(WITHDRAWAL_DELAY + DISPUTE_PERIOD - 1);
        escrow.setDisputePeriod(2 days);
        assertEq(registry.minUnbondingPeriod(), WITHDRAWAL_DELAY + 2 days, "floor follows the dispute period");
        escrow.setWithdrawalDelay(3 days);
        assertEq(registry.minUnbondingPeriod(), 3 days + 2 days, "floor follows the withdrawal delay");
        // A delay the registry's unbonding period (10 days) cannot cover is refused, and nothing changes.
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.SoukUnbondingPeriodTooShort.selector, 10 days, 9 days + 2 days)
        );
        escrow.setWithdrawalDelay(9 days);
        assertEq(escrow.withdrawalDelay(), 3 days, "unchanged");
        vm.stopPrank();
    }

    function test_constructor_revertsIfBadConfig() public {
        ComputeEscrow.Config memory c = ComputeEscrow.Config({
            admin: admin,
            guardian: guardian,
            treasury: address(0),
            slashAmount: SLASH_AMOUNT,
            withdrawalDelay: WITHDRAWAL_DELAY,
            disputePeriod: DISPUTE_PERIOD
        });
        vm.expectRevert(IComputeEscrow.SoukZeroAddress.selector);
        new ComputeEscrow(nft, registry, c);
        c.treasury = treasury;
        c.withdrawalDelay = 0;
        vm.expectRevert(abi.encodeWithSelector(IComputeEscrow.SoukInvalidDuration.selector, 0));
        new ComputeEscrow(nft, registry, c);
    }

    // ───────────────────────────── fuzz ─────────────────────────────

    /// @notice A batch of up to 12 entries, each valid or broken in one of ten ways: exactly the valid ones settle,
    /// each charging its amount once, and every wei charged is credited.
    function test_fuzz_settleBatch_settlesExactlyTheValidEntries(uint256 seed, uint8 size) public {
        uint256 n = bound(size, 1, 12);
        ComputeEscrow other = new ComputeEscrow(
            nft,
            registry,
            ComputeEscrow.Config({
                admin: admin,
                guardian: guardian,
                treasury: treasury,
                slashAmount: SLASH_AMOUNT,
                withdrawalDelay: WITHDRAWAL_DELAY,
                disputePeriod: DISPUTE_PERIOD
            })
        );
        vm.prank(requester);
        escrow.deposit{value: 20 ether}(NATIVE, 20 ether); // 30 ether: covers 12 valid entries
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](n);
        bool[] memory expected = new bool[](n);
        uint256 expectedCharge;
        uint256 balance = escrow.balanceOf(NATIVE, requester);
        for (uint256 i; i < n; ++i) {
            uint256 kind = uint256(keccak256(abi.encode(seed, i))) % 11;
            uint256 amount = bound(uint256(keccak256(abi.encode(seed, i, "amount"))), 0, PRICE);
            IComputeEscrow.JobOrder memory o = _order(requester, modelId, PRICE, 2, i + 1);
            if (kind == 0 && i != 0) {
                b[i] = b[i - 1]; // a duplicate of the previous entry: only the first can settle
                continue;
            }
            if (kind == 4) o.deadline = uint64(block.timestamp - 1); // expired
            if (kind == 6) o.redundancy = 3; // two providers for r = 3
            b[i] = _settlement(kind == 2 ? other : escrow, o, REQUESTER_KEY, amount, RESULT, _keys(P1_KEY, P2_KEY));
            if (kind == 1) b[i].requesterSignature = _sig(STRANGER_KEY, escrow.hashOrder(o)); // foreign signature
            if (kind == 3) b[i].amount = PRICE + 1 + amount; // above maxPrice
            if (kind == 5) {
                o.maxPrice = 500 ether; // above the balance
                b[i] = _settlement(escrow, o, REQUESTER_KEY, 500 ether, RESULT, _keys(P1_KEY, P2_KEY));
            }
            if (kind == 7) {
                b[i] = _settlement(escrow, o, REQUESTER_KEY, amount, RESULT, _keys(P1_KEY, STRANGER_KEY)); // inactive
            }
            if (kind == 8) {
                b[i].providerSignatures[0] = _sig(STRANGER_KEY, escrow.hashAttestation(escrow.hashOrder(o), RESULT));
            }
            bool valid = kind == 0 || kind >= 9; // kind 0 at i = 0, 9 and 10 are valid
            if (valid) {
                expected[i] = true;
                expectedCharge += amount;
            }
        }
        vm.prank(settler);
        uint256 settled = escrow.settleBatch(b);
        uint256 count;
        for (uint256 i; i < n; ++i) {
            if (expected[i]) ++count;
            assertEq(
                escrow.nonceUsed(requester, b[i].order.nonce), _usedBySomeone(b, expected, b[i].order.nonce), "nonce"
            );
        }
        assertEq(settled, count, "settled exactly the valid entries");
        assertEq(escrow.balanceOf(NATIVE, requester), balance - expectedCharge, "charged exactly the valid amounts");
        assertEq(escrow.totalCredits(NATIVE), expectedCharge, "every charged wei credited");
        _assertHolds(escrow, NATIVE);
    }

    function _usedBySomeone(IComputeEscrow.Settlement[] memory b, bool[] memory expected, uint256 nonce)
        internal
        pure
        returns (bool)
    {
        for (uint256 i; i < b.length; ++i) {
            if (expected[i] && b[i].order.nonce == nonce) return true;
        }
        return false;
    }

    /// @notice Any amount, r and split: the payees' credits sum to the amount, to the wei.
    function test_fuzz_settleBatch_splitIsExactToTheWei(uint256 amount, uint8 rSeed, uint16 pBps, uint16 cBps) public {
        amount = bound(amount, 0, 10 ether);
        uint256 r = bound(rSeed, 1, 3);
        pBps = uint16(bound(pBps, 0, 10_000));
        cBps = uint16(bound(cBps, 0, 10_000 - pBps));
        vm.prank(admin);
        escrow.setRevenueSplit(pBps, 10_000 - pBps - cBps, cBps);
        uint256[] memory keys = new uint256[](r);
        uint256[3] memory all = [P1_KEY, P2_KEY, P3_KEY];
        for (uint256 i; i < r; ++i) {
            keys[i] = all[i];
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- r ≤ 3
        IComputeEscrow.JobOrder memory o = _order(requester, modelId, amount, uint8(r), 1);
        IComputeEscrow.Settlement[] memory b = _one(_settlement(escrow, o, REQUESTER_KEY, amount, RESULT, keys));
        vm.prank(settler);
        assertEq(escrow.settleBatch(b), 1, "settled");
        uint256 sum = escrow.creditsOf(NATIVE, creator) + escrow.creditsOf(NATIVE, treasury);
        for (uint256 i; i < r; ++i) {
            sum += escrow.creditsOf(NATIVE, vm.addr(keys[i]));
            assertEq(escrow.creditsOf(NATIVE, vm.addr(keys[i])), amount * pBps / 10_000 / r, "provider share");
        }
        assertEq(sum, amount, "credits == amount");
        assertEq(escrow.balanceOf(NATIVE, requester), 10 ether - amount, "debit == amount");
        _assertHolds(escrow, NATIVE);
    }
}
