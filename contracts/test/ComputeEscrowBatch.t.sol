// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EscrowSigning} from "./ComputeEscrow.t.sol";
import {IComputeEscrow} from "../src/interfaces/IComputeEscrow.sol";

/// @notice Regression and property tests of {ComputeEscrow.settleBatch}'s per-batch ledger: balances, credits and
/// nonce words are kept in memory across a batch and written once at its end, so an entry must never see (or
/// leave) a stale figure. Each test compares the escrow's state after a batch with the sum, entry by entry, of
/// what each settled entry owes — exactly what settling the entries one batch each would have written.
contract ComputeEscrowBatchTest is EscrowSigning {
    uint256 internal constant PRICE = 1 ether;
    uint256 internal constant REQUESTER_A = 0xA11CE;
    uint256 internal constant REQUESTER_B = 0xA11CF;
    uint256 internal constant STRANGER_KEY = 0xBAD;
    uint256 internal constant PROVIDERS = 11; // more than the 8 providers a batch remembers as active

    uint256[PROVIDERS] internal providerKeys;
    uint256 internal modelA;
    uint256 internal modelB;
    address internal creatorB;

    /// @dev What the test expects each account to be credited, by currency.
    mapping(address currency => mapping(address account => uint256)) internal expectedCredit;
    /// @dev What the test expects each requester to be charged, by currency.
    mapping(address currency => mapping(address account => uint256)) internal expectedCharge;

    function setUp() public override {
        super.setUp();
        modelA = mintModel(creator, 500);
        creatorB = makeAddr("creatorB");
        modelB = mintModel(creatorB, 500);
        for (uint256 i; i < PROVIDERS; ++i) {
            providerKeys[i] = 0xB0B1 + i;
            registerProvider(vm.addr(providerKeys[i]), MIN_STAKE * 2);
        }
        _fund(vm.addr(REQUESTER_A));
        _fund(vm.addr(REQUESTER_B));
    }

    function _fund(address account) internal {
        vm.deal(account, 1_000 ether);
        usd.mint(account, 1_000 ether);
        vm.startPrank(account);
        escrow.deposit{value: 100 ether}(NATIVE, 100 ether);
        usd.approve(address(escrow), 100 ether);
        escrow.deposit(address(usd), 100 ether);
        vm.stopPrank();
    }

    /// @dev A valid entry: `requesterKey`'s order `nonce` for `model` in `currency` at r = `r`, run by the `r`
    /// providers from pool index `first` on (consecutive, so distinct), charged `amount`.
    function _entry(
        uint256 requesterKey,
        uint256 model,
        address currency,
        uint256 amount,
        uint8 r,
        uint256 first,
        uint256 nonce
    ) internal view returns (IComputeEscrow.Settlement memory) {
        IComputeEscrow.JobOrder memory o = _order(vm.addr(requesterKey), model, PRICE, r, nonce);
        o.currency = currency;
        uint256[] memory keys = new uint256[](r);
        for (uint256 i; i < r; ++i) {
            keys[i] = providerKeys[(first + i) % PROVIDERS];
        }
        return _settlement(escrow, o, requesterKey, amount, RESULT, keys);
    }

    /// @dev Adds what a settled `s` owes to the expectations (the 80 / 15 / 5 default split).
    function _expect(IComputeEscrow.Settlement memory s) internal {
        address currency = s.order.currency;
        uint256 r = s.providers.length;
        uint256 each = s.amount * 8_000 / 10_000 / r;
        uint256 creatorShare = s.amount * 500 / 10_000;
        for (uint256 i; i < r; ++i) {
            expectedCredit[currency][s.providers[i]] += each;
        }
        address modelCreator = s.order.modelId == modelA ? creator : creatorB;
        expectedCredit[currency][modelCreator] += creatorShare;
        expectedCredit[currency][treasury] += s.amount - each * r - creatorShare;
        expectedCharge[currency][s.order.requester] += s.amount;
    }

    /// @dev Every payee's credits, every requester's balance and both totals match the expectations, and the money
    /// invariant holds, in both currencies.
    function _assertExpected() internal view {
        address[2] memory currencies = [NATIVE, address(usd)];
        for (uint256 c; c < 2; ++c) {
            address currency = currencies[c];
            uint256 credits;
            for (uint256 i; i < PROVIDERS; ++i) {
                address p = vm.addr(providerKeys[i]);
                assertEq(escrow.creditsOf(currency, p), expectedCredit[currency][p], "provider credit");
                credits += expectedCredit[currency][p];
            }
            assertEq(escrow.creditsOf(currency, creator), expectedCredit[currency][creator], "creator A credit");
            assertEq(escrow.creditsOf(currency, creatorB), expectedCredit[currency][creatorB], "creator B credit");
            assertEq(escrow.creditsOf(currency, treasury), expectedCredit[currency][treasury], "treasury credit");
            credits += expectedCredit[currency][creator] + expectedCredit[currency][creatorB]
                + expectedCredit[currency][treasury];
            assertEq(escrow.totalCredits(currency), credits, "totalCredits");
            uint256 charged;
            for (uint256 k; k < 2; ++k) {
                address requester_ = vm.addr(k == 0 ? REQUESTER_A : REQUESTER_B);
                assertEq(
                    escrow.balanceOf(currency, requester_),
                    100 ether - expectedCharge[currency][requester_],
                    "requester balance"
                );
                charged += expectedCharge[currency][requester_];
            }
            assertEq(escrow.totalDeposits(currency), 200 ether - charged, "totalDeposits");
            _assertHolds(escrow, currency);
        }
    }

    function _settle(IComputeEscrow.Settlement[] memory b) internal returns (uint256) {
        vm.prank(settler);
        return escrow.settleBatch(b);
    }

    // ───────────────────────────── regressions ─────────────────────────────

    /// @notice The same requester, providers and creator in every entry, a skipped entry in the middle: each
    /// payee is credited exactly the sum over the settled entries, the skipped one moves nothing and keeps its
    /// nonce unused, and every settled entry still emits its own {JobSettled}.
    function test_settleBatch_repeatedPayeesWithASkipInTheMiddleCreditTheSumOfTheSettled() public {
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](9);
        for (uint256 i; i < b.length; ++i) {
            b[i] = _entry(REQUESTER_A, modelA, NATIVE, PRICE / (i + 1), 2, 0, 100 + i);
        }
        b[4].requesterSignature = _sig(STRANGER_KEY, escrow.hashOrder(b[4].order)); // skipped
        for (uint256 i; i < b.length; ++i) {
            if (i != 4) _expect(b[i]);
        }
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSettled(
            escrow.hashOrder(b[3].order), b[3].order.requester, modelA, NATIVE, b[3].amount, RESULT, b[3].providers
        );
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSkipped(
            escrow.hashOrder(b[4].order), IComputeEscrow.SoukInvalidRequesterSignature.selector
        );
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSettled(
            escrow.hashOrder(b[5].order), b[5].order.requester, modelA, NATIVE, b[5].amount, RESULT, b[5].providers
        );
        assertEq(_settle(b), 8, "all but the skipped one");
        _assertExpected();
        for (uint256 i; i < b.length; ++i) {
            assertEq(escrow.nonceUsed(vm.addr(REQUESTER_A), 100 + i), i != 4, "nonce used iff settled");
        }
        // The skipped order settles later, on its own, from the balance the batch left.
        b[4].requesterSignature = _sig(REQUESTER_A, escrow.hashOrder(b[4].order));
        _expect(b[4]);
        assertEq(_settle(_one(b[4])), 1, "the skipped order settles later");
        _assertExpected();
    }

    /// @notice A duplicate settles once wherever it sits in the batch, also after the batch moved on to another
    /// requester's nonce word and back.
    function test_settleBatch_settlesTheFirstOfDuplicatesAndSkipsTheRest() public {
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](6);
        b[0] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 7);
        b[1] = _entry(REQUESTER_B, modelA, NATIVE, PRICE, 2, 0, 7); // same nonce, other requester: distinct
        b[2] = b[0]; // duplicate after another requester's word
        b[3] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 7 + 256); // another word of A
        b[4] = b[1]; // duplicate of B after A's other word
        b[5] = b[3];
        _expect(b[0]);
        _expect(b[1]);
        _expect(b[3]);
        bytes32 dup = escrow.hashOrder(b[2].order);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSkipped(dup, IComputeEscrow.SoukNonceUsed.selector);
        assertEq(_settle(b), 3, "each order once");
        _assertExpected();
        assertTrue(escrow.nonceUsed(vm.addr(REQUESTER_A), 7), "A 7");
        assertTrue(escrow.nonceUsed(vm.addr(REQUESTER_A), 7 + 256), "A 263");
        assertTrue(escrow.nonceUsed(vm.addr(REQUESTER_B), 7), "B 7");
        assertFalse(escrow.nonceUsed(vm.addr(REQUESTER_B), 7 + 256), "B 263 untouched");
        // And a later batch still sees them used.
        assertEq(_settle(_one(b[0])), 0, "used for good");
    }

    /// @notice Currencies, requesters and models interleaved in one batch: each balance is debited and each
    /// credit made in its own currency.
    function test_settleBatch_mixedCurrenciesRequestersAndModels() public {
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](8);
        for (uint256 i; i < b.length; ++i) {
            b[i] = _entry(
                i % 3 == 0 ? REQUESTER_B : REQUESTER_A,
                i % 4 < 2 ? modelA : modelB,
                i % 2 == 0 ? NATIVE : address(usd),
                PRICE - i * 1_000_003,
                uint8(1 + i % 3),
                i,
                i
            );
            _expect(b[i]);
        }
        assertEq(_settle(b), 8, "all settle");
        _assertExpected();
    }

    /// @notice A requester's running balance: an entry the balance no longer covers after the earlier entries of
    /// the same batch is skipped, and one that fits the remainder still settles.
    function test_settleBatch_chargesTheRunningBalanceWithinABatch() public {
        address a = vm.addr(REQUESTER_A);
        vm.prank(a);
        escrow.requestWithdrawal(NATIVE, 100 ether);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        vm.prank(a);
        escrow.withdraw(NATIVE, a);
        vm.prank(a);
        escrow.deposit{value: 2.5 ether}(NATIVE, 2.5 ether);
        expectedCharge[NATIVE][a] = 97.5 ether; // the test's bookkeeping starts from 100 ether

        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](4);
        b[0] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 1);
        b[1] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 2);
        b[2] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 3); // 0.5 ether left: skipped
        b[3] = _entry(REQUESTER_A, modelA, NATIVE, 0.5 ether, 2, 0, 4); // fits exactly
        _expect(b[0]);
        _expect(b[1]);
        _expect(b[3]);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSkipped(escrow.hashOrder(b[2].order), IComputeEscrow.SoukInsufficientBalance.selector);
        assertEq(_settle(b), 3, "the uncovered one is skipped");
        assertEq(escrow.balanceOf(NATIVE, a), 0, "emptied");
        assertFalse(escrow.nonceUsed(a, 3), "the skipped nonce stays unused");
        _assertExpected();
    }

    /// @notice An invalidation in effect for part of a word is honoured within a batch that uses the word's other
    /// nonces, and the batch's bits do not overwrite it.
    function test_settleBatch_honoursAnInvalidationInEffectWithinTheWord() public {
        address a = vm.addr(REQUESTER_A);
        vm.prank(a);
        escrow.requestNonceInvalidation(0, 1 << 5);
        vm.warp(block.timestamp + WITHDRAWAL_DELAY);
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](3);
        b[0] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 4);
        b[1] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 5); // invalidated
        b[2] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 6);
        _expect(b[0]);
        _expect(b[2]);
        vm.expectEmit(address(escrow));
        emit IComputeEscrow.JobSkipped(escrow.hashOrder(b[1].order), IComputeEscrow.SoukNonceUsed.selector);
        assertEq(_settle(b), 2, "the invalidated one is skipped");
        assertTrue(escrow.nonceUsed(a, 5), "still invalidated");
        vm.prank(a);
        escrow.completeNonceInvalidation(0);
        assertTrue(escrow.nonceUsed(a, 4) && escrow.nonceUsed(a, 5) && escrow.nonceUsed(a, 6), "all three used");
        assertFalse(escrow.nonceUsed(a, 7), "neighbour untouched");
        _assertExpected();
    }

    /// @notice More providers than a batch remembers as active (8) and more (currency, payee) pairs than its
    /// ledger holds (16): the overflow is credited directly, still exactly.
    function test_settleBatch_creditsExactlyBeyondTheLedgerAndTheActiveCache() public {
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](24);
        for (uint256 i; i < b.length; ++i) {
            b[i] = _entry(
                i % 5 == 0 ? REQUESTER_B : REQUESTER_A,
                i % 3 == 0 ? modelB : modelA,
                (i / 2) % 2 == 0 ? NATIVE : address(usd),
                PRICE - i * 7_777,
                uint8(1 + i % 5),
                i * 3,
                1_000 + i
            );
            _expect(b[i]);
        }
        assertEq(_settle(b), 24, "all settle");
        _assertExpected();
    }

    /// @notice Signatures outside what ECDSA.tryRecover accepts are skipped as before: a high-s (malleable) twin
    /// of a valid signature, a 64-byte (EIP-2098) one, a v other than 27/28.
    function test_settleBatch_skipsMalleableShortAndBadVSignatures() public {
        IComputeEscrow.Settlement memory s = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 1);
        bytes32 orderHash = escrow.hashOrder(s.order);
        (uint8 v, bytes32 r, bytes32 sv) = vm.sign(REQUESTER_A, orderHash);
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](3);
        b[0] = s;
        b[0].requesterSignature = abi.encodePacked(r, bytes32(n - uint256(sv)), v == 27 ? uint8(28) : uint8(27));
        b[1] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 1);
        b[1].requesterSignature = abi.encodePacked(r, bytes32(uint256(sv) | (uint256(v - 27) << 255)));
        b[2] = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 1);
        b[2].requesterSignature = abi.encodePacked(r, sv, uint8(v + 2));
        assertEq(_settle(b), 0, "none recovers");
        assertFalse(escrow.nonceUsed(vm.addr(REQUESTER_A), 1), "nonce unused");
        _assertExpected();
        // (b[0] is `s` itself in memory: sign afresh.)
        assertEq(_settle(_one(_entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 1))), 1, "the canonical one settles");
    }

    /// @notice Calldata that does not decode reverts the batch (as the ABI decoder would), rather than settling or
    /// skipping garbage: a provider word with dirty high bits.
    function test_settleBatch_revertsOnADirtyProviderWord() public {
        IComputeEscrow.Settlement memory s = _entry(REQUESTER_A, modelA, NATIVE, PRICE, 2, 0, 1);
        bytes memory data = abi.encodeCall(escrow.settleBatch, (_one(s)));
        // Find providers[0] (an address word) and dirty its high bits.
        bytes32 word = bytes32(uint256(uint160(s.providers[0])));
        uint256 at;
        for (uint256 i = 4; i + 32 <= data.length; ++i) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(data, 0x20), i))
            }
            if (w == word) {
                at = i;
                break;
            }
        }
        assertTrue(at != 0, "found");
        data[at] = 0x01;
        vm.prank(settler);
        (bool ok,) = address(escrow).call(data);
        assertFalse(ok, "reverts");
    }

    // ───────────────────────────── property ─────────────────────────────

    /// @notice Any mix of requesters, currencies, models, redundancies and providers, with invalid entries and
    /// duplicates anywhere: the batch credits and debits exactly the sum over the entries that settle, and uses
    /// exactly their nonces.
    function test_fuzz_settleBatch_creditsExactlyTheSumOfTheSettled(uint256 seed, uint8 size) public {
        uint256 n = bound(size, 1, 30);
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](n);
        bool[] memory settles = new bool[](n);
        uint256 count;
        for (uint256 i; i < n; ++i) {
            uint256 rnd = uint256(keccak256(abi.encode(seed, i)));
            if (rnd % 9 == 0 && i != 0) {
                b[i] = b[rnd % i]; // a duplicate of an earlier entry: never settles again
                continue;
            }
            b[i] = _entry(
                (rnd >> 8) % 2 == 0 ? REQUESTER_A : REQUESTER_B,
                (rnd >> 16) % 2 == 0 ? modelA : modelB,
                (rnd >> 24) % 2 == 0 ? NATIVE : address(usd),
                bound(rnd >> 32, 0, PRICE),
                uint8(1 + (rnd >> 96) % 5),
                (rnd >> 104) % PROVIDERS,
                // forge-lint: disable-next-line(incorrect-shift) -- nonces spread over a few bitmap words
                ((rnd >> 112) % 3) << 8 | i
            );
            uint256 kind = (rnd >> 128) % 8;
            if (kind == 0) b[i].providerSignatures[0] = _sig(STRANGER_KEY, bytes32(rnd)); // bad attestation
            else if (kind == 1) b[i].order.deadline = uint64(block.timestamp - 1); // expired (signature stale too)
            else if (kind == 2) b[i].amount = PRICE + 1; // above maxPrice
            settles[i] = kind > 2;
        }
        for (uint256 i; i < n; ++i) {
            if (settles[i] && !_settledEarlier(b, settles, i)) {
                _expect(b[i]);
                ++count;
            } else {
                settles[i] = false;
            }
        }
        assertEq(_settle(b), count, "settled exactly the valid first occurrences");
        _assertExpected();
        for (uint256 i; i < n; ++i) {
            assertEq(
                escrow.nonceUsed(b[i].order.requester, b[i].order.nonce),
                _usedBy(b, settles, b[i].order.requester, b[i].order.nonce),
                "nonce used iff an entry with it settled"
            );
        }
    }

    /// @dev Whether an entry before `i` with the same requester and nonce settles.
    function _settledEarlier(IComputeEscrow.Settlement[] memory b, bool[] memory settles, uint256 i)
        internal
        pure
        returns (bool)
    {
        for (uint256 j; j < i; ++j) {
            if (settles[j] && b[j].order.requester == b[i].order.requester && b[j].order.nonce == b[i].order.nonce) {
                return true;
            }
        }
        return false;
    }

    function _usedBy(IComputeEscrow.Settlement[] memory b, bool[] memory settles, address requester_, uint256 nonce)
        internal
        pure
        returns (bool)
    {
        for (uint256 j; j < b.length; ++j) {
            if (settles[j] && b[j].order.requester == requester_ && b[j].order.nonce == nonce) return true;
        }
        return false;
    }
}
