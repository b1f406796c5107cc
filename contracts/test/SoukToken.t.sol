// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SoukFixture} from "./utils/SoukFixture.sol";
import {SoukToken} from "../src/SoukToken.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

contract SoukTokenTest is SoukFixture {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DELEGATION_TYPEHASH = keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)");
    bytes32 internal constant EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    uint256 internal constant OWNER_KEY = 0xA11CE;
    address internal owner;

    function setUp() public override {
        super.setUp();
        owner = vm.addr(OWNER_KEY);
        vm.label(owner, "owner");
        vm.prank(treasury);
        souk.transfer(owner, 1_000 ether);
    }

    // ───────────────────────────── supply ─────────────────────────────

    function test_constructor_mintsWholeSupplyToTreasury() public view {
        assertEq(souk.totalSupply(), SUPPLY, "total supply");
        assertEq(souk.balanceOf(treasury) + souk.balanceOf(owner), SUPPLY, "treasury + owner hold everything");
        assertEq(souk.name(), "Souk", "name");
        assertEq(souk.symbol(), "SOUK", "symbol");
        assertEq(uint256(souk.decimals()), 18, "decimals");
    }

    function test_constructor_emitsMintTransferToTreasury() public {
        vm.expectEmit(true, true, false, true);
        emit IERC20.Transfer(address(0), alice, 42 ether);
        SoukToken fresh = new SoukToken(alice, 42 ether);
        assertEq(fresh.balanceOf(alice), 42 ether, "all to treasury");
        assertEq(fresh.totalSupply(), 42 ether, "supply");
    }

    function test_mint_revertsIfCalledBecauseThereIsNoMintFunction() public {
        (bool ok,) = address(souk).call(abi.encodeWithSignature("mint(address,uint256)", alice, 1 ether));
        assertFalse(ok, "no mint entry point");
        assertEq(souk.totalSupply(), SUPPLY, "supply unchanged");
    }

    function test_transfer_revertsIfBalanceTooLow() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, 1));
        vm.prank(alice);
        souk.transfer(bob, 1);
    }

    // ───────────────────────────── permit ─────────────────────────────

    function _domainSeparator() internal view returns (bytes32) {
        return keccak256(
            abi.encode(EIP712_DOMAIN_TYPEHASH, keccak256("Souk"), keccak256("1"), block.chainid, address(souk))
        );
    }

    function _permitDigest(address owner_, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner_, spender, value, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", souk.DOMAIN_SEPARATOR(), structHash));
    }

    function test_DOMAIN_SEPARATOR_matchesEip712Domain() public view {
        assertEq(souk.DOMAIN_SEPARATOR(), _domainSeparator(), "domain separator");
    }

    function test_permit_setsAllowanceAndBumpsNonce() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, _permitDigest(owner, bob, 300 ether, 0, deadline));

        vm.expectEmit(true, true, false, true, address(souk));
        emit IERC20.Approval(owner, bob, 300 ether);
        vm.prank(alice); // anyone may relay
        souk.permit(owner, bob, 300 ether, deadline, v, r, s);

        assertEq(souk.allowance(owner, bob), 300 ether, "allowance");
        assertEq(souk.nonces(owner), 1, "nonce");

        vm.prank(bob);
        souk.transferFrom(owner, bob, 300 ether);
        assertEq(souk.balanceOf(bob), 300 ether, "spent through the permit");
        assertEq(souk.allowance(owner, bob), 0, "allowance used up");
    }

    function test_permit_succeedsAtExactDeadline() public {
        uint256 deadline = block.timestamp;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, _permitDigest(owner, bob, 1 ether, 0, deadline));
        souk.permit(owner, bob, 1 ether, deadline, v, r, s);
        assertEq(souk.allowance(owner, bob), 1 ether, "allowance");
    }

    function test_permit_revertsIfExpired() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, _permitDigest(owner, bob, 1 ether, 0, deadline));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        souk.permit(owner, bob, 1 ether, deadline, v, r, s);
        assertEq(souk.allowance(owner, bob), 0, "no allowance");
    }

    function test_permit_revertsIfSignedByAnotherKey() public {
        uint256 otherKey = 0xB0B;
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(otherKey, _permitDigest(owner, bob, 1 ether, 0, deadline));
        vm.expectRevert(
            abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, vm.addr(otherKey), owner)
        );
        souk.permit(owner, bob, 1 ether, deadline, v, r, s);
    }

    function test_permit_revertsIfReplayed() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, _permitDigest(owner, bob, 1 ether, 0, deadline));
        souk.permit(owner, bob, 1 ether, deadline, v, r, s);

        // With nonce 1 the same signature recovers to some unrelated address.
        address recovered = ecrecover(_permitDigest(owner, bob, 1 ether, 1, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, owner));
        souk.permit(owner, bob, 1 ether, deadline, v, r, s);
        assertEq(souk.nonces(owner), 1, "nonce used once");
    }

    function test_permit_revertsIfValueTampered() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, _permitDigest(owner, bob, 1 ether, 0, deadline));
        address recovered = ecrecover(_permitDigest(owner, bob, 1_000 ether, 0, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, owner));
        souk.permit(owner, bob, 1_000 ether, deadline, v, r, s);
    }

    function test_fuzz_permit_setsAnyAllowance(uint256 value, uint256 key, address spender) public {
        key = bound(key, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        vm.assume(spender != address(0));
        address signer = vm.addr(key);
        uint256 deadline = block.timestamp + 1 days;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _permitDigest(signer, spender, value, 0, deadline));
        souk.permit(signer, spender, value, deadline, v, r, s);
        assertEq(souk.allowance(signer, spender), value, "allowance");
        assertEq(souk.nonces(signer), 1, "nonce");
    }

    // ───────────────────────────── votes ─────────────────────────────

    function test_getVotes_isZeroIfNotDelegated() public view {
        assertEq(souk.balanceOf(owner), 1_000 ether, "holds tokens");
        assertEq(souk.getVotes(owner), 0, "no votes before delegating");
        assertEq(souk.delegates(owner), address(0), "no delegate");
    }

    function test_delegate_givesVotesToSelf() public {
        vm.expectEmit(true, true, true, true, address(souk));
        emit IVotes.DelegateChanged(owner, address(0), owner);
        vm.expectEmit(true, false, false, true, address(souk));
        emit IVotes.DelegateVotesChanged(owner, 0, 1_000 ether);
        vm.prank(owner);
        souk.delegate(owner);
        assertEq(souk.getVotes(owner), 1_000 ether, "self-delegated votes");
        assertEq(souk.delegates(owner), owner, "delegate");
    }

    function test_delegate_movesVotesToAnotherAccount() public {
        vm.prank(owner);
        souk.delegate(alice);
        assertEq(souk.getVotes(alice), 1_000 ether, "alice votes with owner's tokens");
        assertEq(souk.getVotes(owner), 0, "owner keeps no votes");

        vm.prank(owner);
        souk.delegate(bob);
        assertEq(souk.getVotes(alice), 0, "moved away from alice");
        assertEq(souk.getVotes(bob), 1_000 ether, "moved to bob");
    }

    function test_delegateBySig_delegatesForSigner() public {
        uint256 expiry = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(abi.encode(DELEGATION_TYPEHASH, bob, 0, expiry));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", souk.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, digest);
        souk.delegateBySig(bob, 0, expiry, v, r, s);
        assertEq(souk.delegates(owner), bob, "delegate");
        assertEq(souk.getVotes(bob), 1_000 ether, "votes");
        assertEq(souk.nonces(owner), 1, "permit and delegation share the nonce");
    }

    function test_delegateBySig_revertsIfNonceReused() public {
        uint256 expiry = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked("\x19\x01", souk.DOMAIN_SEPARATOR(), keccak256(abi.encode(DELEGATION_TYPEHASH, bob, 0, expiry)))
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY, digest);
        souk.delegateBySig(bob, 0, expiry, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, owner, 1));
        souk.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_clock_isBlockNumber() public {
        vm.roll(1234);
        assertEq(uint256(souk.clock()), 1234, "clock");
        assertEq(souk.CLOCK_MODE(), "mode=blocknumber&from=default", "clock mode");
    }

    function test_transfer_writesCheckpointsForDelegates() public {
        vm.roll(100);
        vm.prank(owner);
        souk.delegate(owner);
        vm.prank(alice);
        souk.delegate(alice);

        vm.roll(110);
        vm.prank(owner);
        souk.transfer(alice, 400 ether);

        vm.roll(120);
        vm.prank(owner);
        souk.transfer(alice, 100 ether);

        vm.roll(130);
        assertEq(souk.getVotes(owner), 500 ether, "owner now");
        assertEq(souk.getVotes(alice), 500 ether, "alice now");
        assertEq(souk.getPastVotes(owner, 99), 0, "before delegation");
        assertEq(souk.getPastVotes(owner, 100), 1_000 ether, "after delegation");
        assertEq(souk.getPastVotes(owner, 109), 1_000 ether, "before first transfer");
        assertEq(souk.getPastVotes(owner, 110), 600 ether, "after first transfer");
        assertEq(souk.getPastVotes(alice, 115), 400 ether, "alice between transfers");
        assertEq(souk.getPastVotes(alice, 120), 500 ether, "alice after second transfer");
        assertEq(uint256(souk.numCheckpoints(owner)), 3, "owner checkpoints");
        assertEq(uint256(souk.checkpoints(owner, 1)._key), 110, "checkpoint block");
        assertEq(uint256(souk.checkpoints(owner, 1)._value), 600 ether, "checkpoint value");
        assertEq(souk.getPastTotalSupply(125), SUPPLY, "total supply checkpoint");
    }

    function test_transfer_doesNotCheckpointUndelegatedReceiver() public {
        vm.prank(owner);
        souk.delegate(owner);
        vm.roll(block.number + 1);
        vm.prank(owner);
        souk.transfer(bob, 10 ether);
        assertEq(souk.getVotes(bob), 0, "bob has not delegated");
        assertEq(uint256(souk.numCheckpoints(bob)), 0, "no checkpoints for bob");
        assertEq(souk.getVotes(owner), 990 ether, "owner lost the votes");
    }

    function test_getPastVotes_revertsIfFutureLookup() public {
        vm.roll(50);
        vm.expectRevert(abi.encodeWithSelector(Votes.ERC5805FutureLookup.selector, 50, 50));
        souk.getPastVotes(owner, 50);
    }

    function test_fuzz_transfer_keepsVotesEqualToBalances(uint256 amount, uint256 blocks) public {
        amount = bound(amount, 0, 1_000 ether);
        blocks = bound(blocks, 1, 1_000);
        vm.prank(owner);
        souk.delegate(owner);
        vm.prank(alice);
        souk.delegate(alice);
        uint256 start = block.number;
        vm.roll(start + blocks);
        vm.prank(owner);
        souk.transfer(alice, amount);
        vm.roll(start + blocks + 1);
        assertEq(souk.getVotes(owner), souk.balanceOf(owner), "owner votes == balance");
        assertEq(souk.getVotes(alice), souk.balanceOf(alice), "alice votes == balance");
        assertEq(souk.getPastVotes(owner, start + blocks - 1), 1_000 ether, "past votes untouched");
    }
}

