// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "../../utils/Test.sol";
import {MockERC20} from "../../utils/mocks/MockERC20.sol";
import {ComputeEscrow} from "../../../src/ComputeEscrow.sol";
import {IComputeEscrow} from "../../../src/interfaces/IComputeEscrow.sol";
import {ProviderRegistry} from "../../../src/ProviderRegistry.sol";

/// @title EscrowHandler
/// @notice The target of the ComputeEscrow invariant suite: deposits, withdrawal requests and withdrawals after
/// warps, nonce invalidation requests (of nonces about to be signed) and their completion, batches of random valid
/// and invalid entries, disputes and credit withdrawals, by requesters and
/// providers who sign with real keys. Every action predicts its effect from the contract's rules first and counts
/// any difference in `ghost_mismatch`, which an invariant keeps at zero.
contract EscrowHandler is Test {
    address internal constant NATIVE = address(0);
    bytes32 internal constant RESULT = keccak256("result");
    bytes32 internal constant WRONG = keccak256("wrong");
    uint256 internal constant STRANGER_KEY = 0xBAD;

    ComputeEscrow public escrow;
    ProviderRegistry public registry;
    MockERC20 public usd;
    address public settler;
    address public referee;
    address public creator;
    address public treasury;
    uint256 public modelId;

    uint256[] internal _requesterKeys;
    uint256[] internal _providerKeys;
    mapping(address requester => uint256) public nextNonce;
    uint256 public currentTime;

    uint256 public ghost_mismatch;
    string public ghost_firstMismatch;
    uint256 public ghost_nativeDealt;
    uint256 public ghost_usdDealt;
    uint256 public ghost_settled;
    uint256 public ghost_skipped;
    uint256 public ghost_disputes;
    uint256 public ghost_withdrawals;
    uint256 public ghost_creditWithdrawals;

    uint256 public ghost_invalidationRequests;
    uint256 public ghost_invalidationsCompleted;
    /// @dev Orders settled (batch or dispute) while an invalidation of their nonce was pending, not yet in effect.
    uint256 public ghost_settledWhilePending;
    /// @dev Orders refused because an invalidation of their nonce was in effect.
    uint256 public ghost_refusedInvalidated;

    /// @dev The model of a requester's pending invalidation of one word.
    struct Pending {
        uint256 mask;
        uint64 effectiveAt;
    }

    /// @dev The handler's own model of nonce invalidation: bits written into the bitmap, and pending requests.
    mapping(address requester => mapping(uint256 wordPos => uint256)) internal _written;
    mapping(address requester => mapping(uint256 wordPos => Pending)) internal _pending;

    constructor(
        ComputeEscrow escrow_,
        ProviderRegistry registry_,
        MockERC20 usd_,
        address[4] memory roles, // settler, referee, creator, treasury
        uint256 modelId_,
        uint256[] memory requesterKeys,
        uint256[] memory providerKeys
    ) {
        (escrow, registry, usd, modelId) = (escrow_, registry_, usd_, modelId_);
        (settler, referee, creator, treasury) = (roles[0], roles[1], roles[2], roles[3]);
        _requesterKeys = requesterKeys;
        _providerKeys = providerKeys;
        currentTime = block.timestamp;
        for (uint256 i; i < requesterKeys.length; ++i) {
            address a = vm.addr(requesterKeys[i]);
            vm.deal(a, 1_000 ether);
            ghost_nativeDealt += 1_000 ether;
            usd.mint(a, 1e12);
            ghost_usdDealt += 1e12;
            vm.prank(a);
            usd.approve(address(escrow), type(uint256).max);
        }
    }

    modifier timed() {
        vm.warp(currentTime);
        _;
    }

    // ═════════════════════════════ funds ═════════════════════════════

    function deposit(uint256 actorSeed, uint256 accountSeed, uint256 amountSeed) external timed {
        address payer = requester(actorSeed);
        address account = accountSeed % 3 == 0 ? requester(accountSeed >> 2) : payer; // sometimes depositFor
        address currency = _currency(amountSeed);
        uint256 amount = bound(amountSeed >> 1, 1, currency == NATIVE ? 5 ether : 5e6);
        uint256 before = escrow.balanceOf(currency, account);
        vm.prank(payer);
        if (account == payer) escrow.deposit{value: currency == NATIVE ? amount : 0}(currency, amount);
        else escrow.depositFor{value: currency == NATIVE ? amount : 0}(account, currency, amount);
        if (escrow.balanceOf(currency, account) != before + amount) _mismatch("deposit: balance");
    }

    function requestWithdrawal(uint256 actorSeed, uint256 amountSeed) external timed {
        address a = requester(actorSeed);
        address currency = _currency(amountSeed);
        uint256 amount = bound(amountSeed >> 1, 1, 2 * escrow.balanceOf(currency, a) + 1); // sometimes above it
        vm.prank(a);
        escrow.requestWithdrawal(currency, amount);
    }

    function cancelWithdrawal(uint256 actorSeed, uint256 currencySeed) external timed {
        address a = requester(actorSeed);
        address currency = _currency(currencySeed);
        (, uint64 unlockAt) = escrow.pendingWithdrawal(currency, a);
        if (unlockAt == 0) return;
        vm.prank(a);
        escrow.cancelWithdrawal(currency);
    }

    /// @dev Withdraws a pending request, first warping past its unlock time when `warpSeed` is even; a withdrawal
    /// before it must fail, one after it pays exactly min(requested, balance).
    function withdraw(uint256 actorSeed, uint256 currencySeed, uint256 warpSeed) external timed {
        address a = requester(actorSeed);
        address currency = _currency(currencySeed);
        (uint256 requested, uint64 unlockAt) = escrow.pendingWithdrawal(currency, a);
        if (unlockAt == 0) return;
        if (warpSeed % 2 == 0 && block.timestamp < unlockAt) _warpTo(unlockAt);
        uint256 balance = escrow.balanceOf(currency, a);
        uint256 expected = requested < balance ? requested : balance;
        uint256 before = _held(currency, a);
        vm.prank(a);
        (bool ok,) = address(escrow).call(abi.encodeCall(escrow.withdraw, (currency, a)));
        if (ok && block.timestamp < unlockAt) _mismatch("withdraw: before the delay");
        if (ok && _held(currency, a) != before + expected) _mismatch("withdraw: amount");
        if (!ok && block.timestamp >= unlockAt && expected != 0) _mismatch("withdraw: refused after the delay");
        if (ok) ++ghost_withdrawals;
    }

    function withdrawCredits(uint256 payeeSeed, uint256 currencySeed) external timed {
        address[] memory payees = allPayees();
        address p = payees[payeeSeed % payees.length];
        address currency = _currency(currencySeed);
        uint256 credit = escrow.creditsOf(currency, p);
        if (credit == 0) return;
        uint256 before = _held(currency, p);
        vm.prank(p);
        escrow.withdrawCredits(currency, p);
        if (_held(currency, p) != before + credit) _mismatch("withdrawCredits: amount");
        ++ghost_creditWithdrawals;
    }

    /// @dev Asks to invalidate one or two of a requester's next nonces (sometimes an already used one): by the
    /// rules, pending bits join an earlier pending request of the word and restart its delay, one already in effect
    /// is written first, and the request takes effect {withdrawalDelay} seconds later.
    function requestNonceInvalidation(uint256 actorSeed, uint256 offsetSeed) external timed {
        address r = requester(actorSeed);
        uint256 next = nextNonce[r];
        uint256 n = offsetSeed % 4 == 0 && next != 0 ? next - 1 : next + (offsetSeed >> 2) % 8;
        uint256 w = n >> 8;
        uint256 mask = 1 << (n & 0xff);
        if ((offsetSeed >> 8) % 2 == 0) mask |= 1 << ((n & 0xff) ^ 1); // its neighbour in the word
        Pending memory p = _pending[r][w];
        uint256 expectedMask = mask;
        if (p.mask != 0) {
            if (block.timestamp >= p.effectiveAt) _written[r][w] |= p.mask;
            else expectedMask |= p.mask;
        }
        uint64 expectedAt = uint64(block.timestamp + escrow.withdrawalDelay());
        _pending[r][w] = Pending({mask: expectedMask, effectiveAt: expectedAt});
        vm.prank(r);
        uint64 effectiveAt = escrow.requestNonceInvalidation(w, mask);
        if (effectiveAt != expectedAt) _mismatch("requestNonceInvalidation: effectiveAt");
        (uint256 pendingMask, uint64 pendingAt) = escrow.pendingNonceInvalidation(r, w);
        if (pendingMask != expectedMask || pendingAt != expectedAt) _mismatch("requestNonceInvalidation: pending");
        ++ghost_invalidationRequests;
    }

    /// @dev Completes a requester's pending invalidation of its current word, first warping to its effect when
    /// `warpSeed` is even: refused before `effectiveAt`, written into the bitmap after.
    function completeNonceInvalidation(uint256 actorSeed, uint256 warpSeed) external timed {
        address r = requester(actorSeed);
        uint256 w = nextNonce[r] >> 8;
        Pending memory p = _pending[r][w];
        if (p.mask != 0 && warpSeed % 2 == 0 && block.timestamp < p.effectiveAt) _warpTo(p.effectiveAt);
        vm.prank(r);
        (bool ok,) = address(escrow).call(abi.encodeCall(escrow.completeNonceInvalidation, (w)));
        bool expected = p.mask != 0 && block.timestamp >= p.effectiveAt;
        if (ok != expected) _mismatch("completeNonceInvalidation: accepted or refused wrongly");
        if (!ok) return;
        _written[r][w] |= p.mask;
        delete _pending[r][w];
        (uint256 pendingMask,) = escrow.pendingNonceInvalidation(r, w);
        if (pendingMask != 0) _mismatch("completeNonceInvalidation: still pending");
        ++ghost_invalidationsCompleted;
    }

    function warp(uint256 secondsSeed) external timed {
        _warpTo(block.timestamp + bound(secondsSeed, 1, 2 hours));
    }

    // ═════════════════════════════ settlement ═════════════════════════════

    /// @dev A batch of 1..6 entries, each valid or broken in one way (duplicate, foreign signature, above maxPrice,
    /// expired, inactive provider, wrong redundancy, bad attestation, above the balance); predicts which settle.
    function settleBatch(uint256 seed, uint256 sizeSeed) external timed {
        uint256 n = bound(sizeSeed, 1, 6);
        IComputeEscrow.Settlement[] memory b = new IComputeEscrow.Settlement[](n);
        bool[] memory valid = new bool[](n);
        address[] memory reqs = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            if (s % 9 == 0 && i != 0) {
                b[i] = b[i - 1]; // duplicate: never valid
                reqs[i] = reqs[i - 1];
                continue;
            }
            (b[i], valid[i]) = _entry(s);
            reqs[i] = b[i].order.requester;
            amounts[i] = b[i].amount;
        }
        (uint256 expected, uint256 charged) = _predict(b, valid, reqs, amounts);
        uint256 creditsBefore = escrow.totalCredits(NATIVE) + escrow.totalCredits(address(usd));
        uint256 depositsBefore = escrow.totalDeposits(NATIVE) + escrow.totalDeposits(address(usd));
        vm.prank(settler);
        uint256 settled = escrow.settleBatch(b);
        if (settled != expected) _mismatch("settleBatch: settled count");
        if (escrow.totalCredits(NATIVE) + escrow.totalCredits(address(usd)) != creditsBefore + charged) {
            _mismatch("settleBatch: credits != charged");
        }
        if (escrow.totalDeposits(NATIVE) + escrow.totalDeposits(address(usd)) + charged != depositsBefore) {
            _mismatch("settleBatch: deposits - charged");
        }
        _checkNonces(b, valid, reqs);
        for (uint256 i; i < n; ++i) {
            if (valid[i] && _isPending(reqs[i], b[i].order.nonce)) ++ghost_settledWhilePending;
        }
        ghost_settled += settled;
        ghost_skipped += n - settled;
    }

    /// @dev The exact class's only valid verdicts: bit i set when attestation i is of `RESULT`.
    function _exactVerdicts(IComputeEscrow.SignedAttestation[] memory a) private pure returns (uint256 mask) {
        for (uint256 i; i < a.length; ++i) {
            if (a[i].resultHash == RESULT) mask |= 1 << i;
        }
    }

    /// @dev A dispute over a fresh order attested by two providers, each right or wrong by `seed`'s bits; the
    /// right ones are paid only before the deadline with the balance; the wrong ones are slashed.
    function settleDispute(uint256 seed) external timed {
        address r = requester(seed);
        address currency = _currency(seed >> 3);
        uint256 amount = bound(seed >> 8, 0, currency == NATIVE ? 1 ether : 1e6);
        IComputeEscrow.JobOrder memory o = _order(r, currency, amount, 2, nextNonce[r]++);
        bytes32 h = escrow.hashOrder(o);
        IComputeEscrow.SignedAttestation[] memory a = new IComputeEscrow.SignedAttestation[](2);
        uint256 k;
        for (uint256 i; i < 2; ++i) {
            uint256 key = _providerKeys[(seed % _providerKeys.length + i) % _providerKeys.length]; // seed + i may overflow
            bool right = (seed >> (16 + i)) & 1 == 1;
            bytes32 result = right ? RESULT : WRONG;
            a[i] = IComputeEscrow.SignedAttestation({
                provider: vm.addr(key), resultHash: result, signature: _sig(key, escrow.hashAttestation(h, result))
            });
            if (right && registry.isActive(vm.addr(key))) ++k;
        }
        bool chargeable = k != 0 && block.timestamp <= o.deadline && escrow.balanceOf(currency, r) >= amount;
        uint256 balance = escrow.balanceOf(currency, r);
        uint256 credits = escrow.totalCredits(currency);
        bytes memory sig = _sig(_keyOf(r), h);
        if (_invalidated(r, o.nonce)) return _expectDisputeRefused(o, sig, amount, a);
        if (_isPending(r, o.nonce)) ++ghost_settledWhilePending;
        vm.prank(referee);
        escrow.settleDispute(o, sig, amount, RESULT, a, _exactVerdicts(a));
        uint256 charged = chargeable ? amount : 0;
        if (escrow.balanceOf(currency, r) != balance - charged) _mismatch("settleDispute: charge");
        if (escrow.totalCredits(currency) != credits + charged) _mismatch("settleDispute: credits");
        if (!escrow.nonceUsed(r, o.nonce)) _mismatch("settleDispute: nonce");
        ++ghost_disputes;
    }

    /// @dev A dispute of an order whose nonce has an invalidation in effect must revert {SoukNonceUsed}.
    function _expectDisputeRefused(
        IComputeEscrow.JobOrder memory o,
        bytes memory sig,
        uint256 amount,
        IComputeEscrow.SignedAttestation[] memory a
    ) private {
        bytes memory call = abi.encodeCall(escrow.settleDispute, (o, sig, amount, RESULT, a, _exactVerdicts(a)));
        vm.prank(referee);
        (bool ok, bytes memory ret) = address(escrow).call(call);
        bytes memory refusal = abi.encodeWithSelector(IComputeEscrow.SoukNonceUsed.selector, o.requester, o.nonce);
        if (ok || keccak256(ret) != keccak256(refusal)) _mismatch("settleDispute: invalidated nonce accepted");
        ++ghost_refusedInvalidated;
    }

    // ═════════════════════════════ views ═════════════════════════════

    function requester(uint256 seed) public view returns (address) {
        return vm.addr(_requesterKeys[seed % _requesterKeys.length]);
    }

    function allRequesters() public view returns (address[] memory rs) {
        rs = new address[](_requesterKeys.length);
        for (uint256 i; i < rs.length; ++i) {
            rs[i] = vm.addr(_requesterKeys[i]);
        }
    }

    /// @dev Everyone who can hold credits: the providers, the creator and the treasury.
    function allPayees() public view returns (address[] memory ps) {
        ps = new address[](_providerKeys.length + 2);
        for (uint256 i; i < _providerKeys.length; ++i) {
            ps[i] = vm.addr(_providerKeys[i]);
        }
        (ps[_providerKeys.length], ps[_providerKeys.length + 1]) = (creator, treasury);
    }

    // ═════════════════════════════ helpers ═════════════════════════════

    /// @dev Which valid-looking entries settle: in order, while the requester's balance still covers them (marks
    /// the rest invalid); returns how many and the total charged.
    function _predict(
        IComputeEscrow.Settlement[] memory b,
        bool[] memory valid,
        address[] memory reqs,
        uint256[] memory amounts
    ) internal view returns (uint256 expected, uint256 charged) {
        for (uint256 i; i < b.length; ++i) {
            if (!valid[i]) continue;
            address currency = b[i].order.currency;
            uint256 left = escrow.balanceOf(currency, reqs[i]);
            for (uint256 j; j < i; ++j) {
                if (valid[j] && reqs[j] == reqs[i] && b[j].order.currency == currency) left -= amounts[j];
            }
            if (left >= amounts[i]) {
                ++expected;
                charged += amounts[i];
            } else {
                valid[i] = false;
            }
        }
    }

    /// @dev Exactly the settled entries' nonces and those invalidated in effect are used (a duplicate shares its
    /// original's).
    function _checkNonces(IComputeEscrow.Settlement[] memory b, bool[] memory valid, address[] memory reqs) internal {
        for (uint256 i; i < b.length; ++i) {
            uint256 nonce = b[i].order.nonce;
            bool used = escrow.nonceUsed(reqs[i], nonce);
            bool duplicate = i != 0 && nonce == b[i - 1].order.nonce && reqs[i] == reqs[i - 1];
            if (used != (valid[i] || _invalidated(reqs[i], nonce)) && !duplicate) _mismatch("settleBatch: nonce");
            if (!duplicate && _invalidated(reqs[i], nonce)) ++ghost_refusedInvalidated;
        }
    }

    /// @dev Whether the model has an invalidation of `nonce` in effect now (written, or pending and due).
    function _invalidated(address r, uint256 nonce) internal view returns (bool) {
        uint256 bit = 1 << (nonce & 0xff);
        Pending memory p = _pending[r][nonce >> 8];
        return _written[r][nonce >> 8] & bit != 0 || (p.mask & bit != 0 && block.timestamp >= p.effectiveAt);
    }

    /// @dev Whether the model has an invalidation of `nonce` pending, not yet in effect.
    function _isPending(address r, uint256 nonce) internal view returns (bool) {
        Pending memory p = _pending[r][nonce >> 8];
        return p.mask & (1 << (nonce & 0xff)) != 0 && block.timestamp < p.effectiveAt;
    }

    /// @dev One entry from `s`: kind 0..3 valid (native or usd), 4 foreign signature, 5 above maxPrice, 6 expired,
    /// 7 inactive provider, 8 wrong redundancy, 9 bad attestation, 10 above the balance.
    function _entry(uint256 s) internal returns (IComputeEscrow.Settlement memory e, bool valid) {
        uint256 kind = (s >> 8) % 11;
        address r = requester(s >> 16);
        address currency = _currency(s >> 24);
        uint256 amount = bound(s >> 32, 0, currency == NATIVE ? 0.5 ether : 5e5);
        uint256 nonce = nextNonce[r]++;
        IComputeEscrow.JobOrder memory o = _order(r, currency, kind == 10 ? type(uint128).max : amount, 2, nonce);
        if (kind == 10) amount = type(uint128).max;
        if (kind == 6) o.deadline = uint64(block.timestamp - 1);
        if (kind == 8) o.redundancy = 3;
        uint256 k1 = _providerKeys[(s >> 40) % _providerKeys.length];
        uint256 k2 = _providerKeys[((s >> 40) + 1) % _providerKeys.length];
        if (kind == 7) k2 = STRANGER_KEY;
        bytes32 h = escrow.hashOrder(o);
        e.order = o;
        e.requesterSignature = _sig(kind == 4 ? STRANGER_KEY : _keyOf(r), h);
        e.amount = kind == 5 ? amount + o.maxPrice + 1 : amount;
        e.resultHash = RESULT;
        e.providers = new address[](2);
        e.providerSignatures = new bytes[](2);
        (e.providers[0], e.providers[1]) = (vm.addr(k1), vm.addr(k2));
        bytes32 d = escrow.hashAttestation(h, RESULT);
        e.providerSignatures[0] = _sig(k1, d);
        e.providerSignatures[1] = kind == 9 ? _sig(k2, escrow.hashAttestation(h, WRONG)) : _sig(k2, d);
        valid = kind <= 3 && registry.isActive(vm.addr(k1)) && registry.isActive(vm.addr(k2)) && !_invalidated(r, nonce);
    }

    function _order(address r, address currency, uint256 maxPrice, uint8 redundancy, uint256 nonce)
        internal
        view
        returns (IComputeEscrow.JobOrder memory o)
    {
        o = IComputeEscrow.JobOrder({
            requester: r,
            modelId: modelId,
            modelVersion: 0,
            inputHash: keccak256(abi.encode(r, nonce)),
            currency: currency,
            maxPrice: maxPrice,
            redundancy: redundancy,
            verification: 0,
            deadline: uint64(block.timestamp + 1 hours),
            nonce: nonce
        });
    }

    function _keyOf(address a) internal view returns (uint256) {
        for (uint256 i; i < _requesterKeys.length; ++i) {
            if (vm.addr(_requesterKeys[i]) == a) return _requesterKeys[i];
        }
        revert("unknown requester");
    }

    function _sig(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _currency(uint256 seed) internal view returns (address) {
        return seed % 2 == 0 ? NATIVE : address(usd);
    }

    function _held(address currency, address a) internal view returns (uint256) {
        return currency == NATIVE ? a.balance : usd.balanceOf(a);
    }

    function _warpTo(uint256 t) internal {
        currentTime = t;
        vm.warp(t);
    }

    function _mismatch(string memory what) internal {
        if (ghost_mismatch == 0) ghost_firstMismatch = what;
        ++ghost_mismatch;
    }
}
