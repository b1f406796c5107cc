// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "../../utils/Test.sol";
import {MockERC20} from "../../utils/mocks/MockERC20.sol";
import {SoukToken} from "../../../src/SoukToken.sol";
import {AgentNFT} from "../../../src/AgentNFT.sol";
import {IAgentNFT} from "../../../src/interfaces/IAgentNFT.sol";
import {Marketplace} from "../../../src/Marketplace.sol";
import {IMarketplace} from "../../../src/interfaces/IMarketplace.sol";
import {Licenses} from "../../../src/Licenses.sol";
import {ILicenses} from "../../../src/interfaces/ILicenses.sol";
import {ProviderRegistry} from "../../../src/ProviderRegistry.sol";
import {IProviderRegistry} from "../../../src/interfaces/IProviderRegistry.sol";
import {IPayouts} from "../../../src/interfaces/IPayouts.sol";

/// @dev What the contract actors (RevertingReceiver, GasBurningReceiver) expose to act.
interface IActor {
    function execute(address target, bytes calldata data) external payable returns (bytes memory);
}

/// @dev console.log without forge-std (the console precompile address Foundry listens on).
library MoneyLog {
    address private constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory s, uint256 v) internal view {
        _send(abi.encodeWithSignature("log(string,uint256)", s, v));
    }

    function log(string memory s) internal view {
        _send(abi.encodeWithSignature("log(string)", s));
    }

    function _send(bytes memory payload) private view {
        address c = CONSOLE;
        assembly ("memory-safe") {
            pop(staticcall(gas(), c, add(payload, 32), mload(payload), 0, 0))
        }
    }
}

/// @title MoneyHandler
/// @notice The single target of the money invariant suite: bounded actions over Marketplace, Licenses and the
/// ProviderRegistry by a pool of actors (EOAs plus a reverting and a gas-burning contract), with ghost accounting
/// of every wei collected, paid, credited and withdrawn and of every SOUK wei bonded, locked and slashed. The
/// registry's SLASHER_ROLE actions (slash, lockStake, unlockStake) run as the ComputeEscrow, which holds that role
/// in the deployment; the escrow's own flows are fuzzed by EscrowInvariant.
/// @dev Every money-moving action goes through a "ledger": the expected change of (balance + pull credits) of
/// each party is computed from the contracts' own formulas before the call, the actual change measured after it;
/// any difference increments `ghost_payoutMismatch`, which an invariant keeps at zero. Handler functions never
/// revert on a failing action (low-level calls), so the fuzzer's calls are all counted.
contract MoneyHandler is Test {
    address internal constant NATIVE = address(0);
    uint256 internal constant NATIVE_DEAL = 1_000 ether;
    uint256 internal constant USD_DEAL = 1e12; // 1M mUSD (6 decimals)
    uint256 internal constant SOUK_DEAL = 10_000 ether;
    uint256 internal constant MAX_TOKENS = 12;

    struct Deployment {
        SoukToken souk;
        AgentNFT nft;
        Marketplace market;
        Licenses licenses;
        ProviderRegistry registry;
        MockERC20 usd;
        address treasury;
        address slasher;
        address gasBurner;
        address admin;
    }

    SoukToken public souk;
    AgentNFT public nft;
    Marketplace public market;
    Licenses public licenses;
    ProviderRegistry public registry;
    MockERC20 public usd;
    address public treasury;
    /// @dev The registry's SLASHER_ROLE holder (the ComputeEscrow): slashes, locks and unlocks stake.
    address public slasher;
    /// @dev Governance (the registry's admin).
    address public admin;
    /// @dev The GasBurningReceiver actor: a native withdrawal forwards all gas, so never withdraw natively to it.
    address public gasBurner;

    address[] public actors;
    mapping(address => bool) public isContractActor;
    uint256 public currentTime;

    // ───────── ghosts ─────────
    uint256 public ghost_nativeDealt;
    uint256 public ghost_usdDealt;
    uint256 public ghost_payoutMismatch;
    string public ghost_firstMismatch;
    /// @dev Slashes that did not take exactly min(amount, stake + unbonding), stake first, to the slash recipient.
    uint256 public ghost_slashMismatch;
    string public ghost_firstSlashError;
    /// @dev SOUK wei sent to the slash recipient by slashes, as measured on its balance.
    uint256 public ghost_slashed;
    /// @dev Expected locked stake per provider, from the registry's rules (lock adds; unlock and slash release,
    /// never below zero; a slash caps what stays locked at the remaining stake).
    mapping(address => uint256) public ghost_locked;
    /// @dev Per currency (0 native, 1 usd): collected by each contract, distributed (pushed + credited) by it.
    mapping(uint256 => mapping(address => uint256)) public ghost_collected;
    mapping(uint256 => mapping(address => uint256)) public ghost_distributed;
    mapping(uint256 => mapping(address => uint256)) public ghost_withdrawn;

    string[] internal _actionNames;
    mapping(bytes32 => uint256) public calls;
    mapping(bytes32 => uint256) public successes;

    // ───────── ledger scratch ─────────
    address[] internal _lWho;
    int256[] internal _lExpected;
    int256[] internal _lBefore;
    address internal _lCurrency;
    address internal _lContract;

    modifier action(string memory name) {
        vm.warp(currentTime);
        ++calls[keccak256(bytes(name))];
        _;
    }

    constructor(Deployment memory d, address[] memory actors_, bool[] memory isContract_) {
        souk = d.souk;
        nft = d.nft;
        market = d.market;
        licenses = d.licenses;
        registry = d.registry;
        usd = d.usd;
        treasury = d.treasury;
        slasher = d.slasher;
        gasBurner = d.gasBurner;
        admin = d.admin;
        currentTime = block.timestamp;

        for (uint256 i; i < actors_.length; ++i) {
            address a = actors_[i];
            actors.push(a);
            isContractActor[a] = isContract_[i];
            vm.deal(a, NATIVE_DEAL);
            ghost_nativeDealt += NATIVE_DEAL;
            usd.mint(a, USD_DEAL);
            ghost_usdDealt += USD_DEAL;
            vm.prank(treasury);
            souk.transfer(a, SOUK_DEAL);
            _act(a, address(nft), 0, abi.encodeCall(nft.setApprovalForAll, (address(market), true)));
            _act(a, address(usd), 0, abi.encodeCall(usd.approve, (address(market), type(uint256).max)));
            _act(a, address(usd), 0, abi.encodeCall(usd.approve, (address(licenses), type(uint256).max)));
            _act(a, address(souk), 0, abi.encodeCall(souk.approve, (address(registry), type(uint256).max)));
        }

        string[18] memory names = [
            "mint", "publishVersion", "list", "updatePrice", "cancel", "buy", "transferNFT", "setTerms",
            "purchaseLicense", "withdrawCredits", "registerProvider", "increaseStake", "requestUnbond",
            "withdrawStake", "slash", "lockStake", "unlockStake", "warp"
        ];
        for (uint256 i; i < names.length; ++i) {
            _actionNames.push(names[i]);
        }
    }

    // ═════════════════════════════ AgentNFT ═════════════════════════════

    function mint(uint256 actorSeed, uint256 royaltySeed, uint256 uriSeed) external action("mint") {
        if (nft.totalMinted() >= MAX_TOKENS) return;
        address a = _actor(actorSeed);
        uint16 royalty = uint16(bound(royaltySeed, 0, 1_000));
        string memory uri = uriSeed % 2 == 0
            ? "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
            : "ipfs://QmNotPackedManifest";
        bool ok = _act(a, address(nft), 0, abi.encodeCall(nft.mint, (a, uri, IAgentNFT.AssetKind.Model, royalty)));
        _done("mint", ok);
    }

    function publishVersion(uint256 tokenSeed) external action("publishVersion") {
        (bool exists, uint256 id) = _token(tokenSeed);
        if (!exists) return;
        address owner = nft.ownerOf(id);
        _done("publishVersion", _act(owner, address(nft), 0, abi.encodeCall(nft.publishVersion, (id, "ipfs://v2"))));
    }

    function transferNFT(uint256 tokenSeed, uint256 toSeed) external action("transferNFT") {
        (bool exists, uint256 id) = _token(tokenSeed);
        if (!exists) return;
        address owner = nft.ownerOf(id);
        address to = _actor(toSeed);
        _done("transferNFT", _act(owner, address(nft), 0, abi.encodeCall(nft.transferFrom, (owner, to, id))));
    }

    // ═════════════════════════════ Marketplace ═════════════════════════════

    function list(uint256 tokenSeed, uint256 currencySeed, uint256 priceSeed) external action("list") {
        (bool exists, uint256 id) = _token(tokenSeed);
        if (!exists) return;
        address owner = nft.ownerOf(id);
        address currency = _currency(currencySeed);
        uint256 price = _price(currency, priceSeed, 1);
        _done("list", _act(owner, address(market), 0, abi.encodeCall(market.list, (id, currency, price))));
    }

    function updatePrice(uint256 tokenSeed, uint256 priceSeed) external action("updatePrice") {
        uint256 id = _pickToken(tokenSeed, 0);
        if (id == 0) return;
        IMarketplace.Listing memory l = market.getListing(id);
        uint256 price = _price(l.currency, priceSeed, 1);
        _done("updatePrice", _act(l.seller, address(market), 0, abi.encodeCall(market.updatePrice, (id, price))));
    }

    function cancel(uint256 tokenSeed, uint256 actorSeed) external action("cancel") {
        uint256 id = _pickToken(tokenSeed, 0);
        if (id == 0) return;
        IMarketplace.Listing memory l = market.getListing(id);
        // Half the time the seller, otherwise anyone (who may clear only a stale listing).
        address caller = actorSeed % 2 == 0 ? l.seller : _actor(actorSeed >> 1);
        _done("cancel", _act(caller, address(market), 0, abi.encodeCall(market.cancel, (id))));
    }

    function buy(uint256 tokenSeed, uint256 actorSeed) external action("buy") {
        uint256 id = _pickToken(tokenSeed, 1);
        if (id == 0) return;
        IMarketplace.Listing memory l = market.getListing(id);
        address buyer = _actor(actorSeed);
        uint256 price = l.price;

        uint256 royalty = price * nft.royaltyBpsOf(id) / 10_000;
        uint256 maxRoyalty = price * market.MAX_ROYALTY_BPS() / 10_000;
        if (royalty > maxRoyalty) royalty = maxRoyalty;
        uint256 fee = price * market.protocolFeeBps() / 10_000;

        _lReset(l.currency, address(market));
        _lExpect(buyer, -int256(price));
        _lExpect(nft.creatorOf(id), int256(royalty));
        _lExpect(market.treasury(), int256(fee));
        _lExpect(l.seller, int256(price - royalty - fee));
        _lSnap();
        bool ok = _act(buyer, address(market), _value(l.currency, price), abi.encodeCall(market.buy, (id, l.currency, price)));
        if (ok) {
            _lCheck("buy");
            if (nft.ownerOf(id) != buyer) _mismatch("buy: token not delivered");
            ghost_collected[_ci(l.currency)][address(market)] += price;
            ghost_distributed[_ci(l.currency)][address(market)] += price;
        }
        _done("buy", ok);
    }

    // ═════════════════════════════ Licenses ═════════════════════════════

    function setTerms(uint256 tokenSeed, uint256 currencySeed, uint256 priceSeed, uint256 durationSeed)
        external
        action("setTerms")
    {
        (bool exists, uint256 id) = _token(tokenSeed);
        if (!exists) return;
        address owner = nft.ownerOf(id);
        address currency = _currency(currencySeed);
        uint256 price = _price(currency, priceSeed, 0); // free licences allowed
        uint64 duration = durationSeed % 4 == 0 ? 0 : uint64(bound(durationSeed, 1 hours, 30 days));
        // Either usage: access terms or training terms (Licenses.Usage), priced and split alike.
        bytes memory data = (currencySeed >> 8) % 2 == 0
            ? abi.encodeCall(licenses.setTerms, (id, currency, price, duration))
            : abi.encodeCall(licenses.setTrainingTerms, (id, currency, price, duration));
        _done("setTerms", _act(owner, address(licenses), 0, data));
    }

    function purchaseLicense(uint256 tokenSeed, uint256 actorSeed, uint256 licenseeSeed)
        external
        action("purchaseLicense")
    {
        uint256 id = _pickToken(tokenSeed, 2);
        if (id == 0) return;
        bool training = (actorSeed >> 8) % 2 == 1;
        ILicenses.Terms memory t = training ? licenses.getTrainingTerms(id) : licenses.getTerms(id);
        address payer = _actor(actorSeed);
        address licensee = _actor(licenseeSeed);
        uint256 price = t.price;
        uint256 royalty = price * nft.royaltyBpsOf(id) / 10_000;
        uint256 fee = price * licenses.protocolFeeBps() / 10_000;

        _lReset(t.currency, address(licenses));
        _lExpect(payer, -int256(price));
        _lExpect(nft.creatorOf(id), int256(royalty));
        _lExpect(licenses.treasury(), int256(fee));
        _lExpect(nft.ownerOf(id), int256(price - royalty - fee));
        _lSnap();
        bytes memory data = training
            ? abi.encodeCall(licenses.purchaseTrainingLicenseAt, (id, licensee, t.currency, price, t.duration))
            : licenseeSeed % 2 == 0
                ? abi.encodeCall(licenses.purchaseLicense, (id, licensee))
                : abi.encodeCall(licenses.purchaseLicenseAt, (id, licensee, t.currency, price, t.duration));
        bool ok = _act(payer, address(licenses), _value(t.currency, price), data);
        if (ok) {
            _lCheck("purchaseLicense");
            if (training && !licenses.canTrain(licensee, id)) _mismatch("purchaseLicense: training licence not held");
            if (!training && !licenses.hasAccess(licensee, id)) _mismatch("purchaseLicense: no access");
            ghost_collected[_ci(t.currency)][address(licenses)] += price;
            ghost_distributed[_ci(t.currency)][address(licenses)] += price;
        }
        _done("purchaseLicense", ok);
    }

    // ═════════════════════════════ Payouts ═════════════════════════════

    function withdrawCredits(uint256 contractSeed, uint256 actorSeed, uint256 currencySeed, uint256 toSeed)
        external
        action("withdrawCredits")
    {
        (address c, address currency, address a, uint256 amount) = _pickCredit(contractSeed, currencySeed, actorSeed);
        if (amount == 0) return;
        address to = toSeed % 2 == 0 ? a : _actor(toSeed >> 1);
        // A native withdrawal forwards all gas: never aim it at the gas burner (it would burn the whole block).
        if (currency == NATIVE && to == gasBurner) to = actors[0];

        _lReset(currency, c);
        _lExpect(a, -int256(amount)); // the credit goes
        _lExpect(to, int256(amount)); // the balance comes
        _lSnap();
        bool ok = _act(a, c, 0, abi.encodeCall(IPayouts.withdrawCredits, (currency, to)));
        if (ok) {
            _lCheck("withdrawCredits");
            ghost_withdrawn[_ci(currency)][c] += amount;
        }
        _done("withdrawCredits", ok);
    }

    // ═════════════════════════════ ProviderRegistry ═════════════════════════════

    function registerProvider(uint256 actorSeed, uint256 stakeSeed) external action("registerProvider") {
        address a = _actor(actorSeed);
        uint256 stake = bound(stakeSeed, registry.minStake(), 3 * registry.minStake());
        _done(
            "registerProvider",
            _act(a, address(registry), 0, abi.encodeCall(registry.register, ("ipfs://provider", stake)))
        );
    }

    function increaseStake(uint256 actorSeed, uint256 amountSeed) external action("increaseStake") {
        address a = _actor(actorSeed);
        if (!registry.getProvider(a).registered) return;
        uint256 amount = bound(amountSeed, 1, 1_000 ether);
        _done("increaseStake", _act(a, address(registry), 0, abi.encodeCall(registry.increaseStake, (amount))));
    }

    function requestUnbond(uint256 actorSeed, uint256 amountSeed) external action("requestUnbond") {
        address a = _actor(actorSeed);
        uint256 stake = registry.getProvider(a).stake;
        if (stake == 0) return;
        // Half the time stay active (unbond only the excess over the minimum), else anything up to the stake.
        uint256 excess = stake > registry.minStake() ? stake - registry.minStake() : 0;
        uint256 amount = amountSeed % 2 == 0 && excess != 0 ? bound(amountSeed >> 1, 1, excess) : bound(amountSeed, 1, stake);
        uint256 free = stake - registry.lockedStake(a);
        bool ok = _act(a, address(registry), 0, abi.encodeCall(registry.requestUnbond, (amount)));
        // Locked stake backs a pending fault: it cannot leave.
        if (ok && amount > free) _mismatch("requestUnbond: unbonded locked stake");
        if (!ok && amount <= free && registry.getProvider(a).registered) _mismatch("requestUnbond: free stake refused");
        _done("requestUnbond", ok);
    }

    function withdrawStake(uint256 actorSeed, uint256 warpSeed) external action("withdrawStake") {
        address a = _actor(actorSeed);
        IProviderRegistry.Provider memory p = registry.getProvider(a);
        if (p.unbonding == 0) return;
        if (block.timestamp < p.unbondableAt) {
            if (warpSeed % 2 != 0) return;
            _warpTo(p.unbondableAt);
        }
        uint256 before = souk.balanceOf(a);
        bool ok = _act(a, address(registry), 0, abi.encodeCall(registry.withdraw, ()));
        if (ok && souk.balanceOf(a) != before + p.unbonding) _mismatch("withdrawStake: amount");
        _done("withdrawStake", ok);
    }


    // ═════════════════════════════ ProviderRegistry: the slasher (ComputeEscrow) ═════════════════════════════

    /// @dev The ComputeEscrow slashes `actor` (registered or not) for up to a little more than its largest possible
    /// bond, so that both "takes the amount" and "takes what there is" are reached. Checks the registry's rule:
    /// stake first, then unbonding, never more than both, every wei to the slash recipient; the lock that backed the
    /// fault is released by the amount, and what stays locked is capped at the remaining stake.
    function slash(uint256 actorSeed, uint256 amountSeed) external action("slash") {
        address a = _actor(actorSeed);
        uint256 amount = bound(amountSeed, 0, 4_000 ether);
        IProviderRegistry.Provider memory p = registry.getProvider(a);
        address recipient = registry.slashRecipient();
        uint256 fromStake = amount < p.stake ? amount : p.stake;
        uint256 rest = amount - fromStake;
        uint256 fromUnbonding = rest < p.unbonding ? rest : p.unbonding;
        uint256 recipientBefore = souk.balanceOf(recipient);
        uint256 registryBefore = souk.balanceOf(address(registry));

        vm.prank(slasher);
        (bool ok,) = address(registry).call(abi.encodeCall(registry.slash, (a, amount, keccak256("souk.slash.test"))));
        if (!ok) _slashMismatch("slash: the slasher was refused");
        if (ok) {
            IProviderRegistry.Provider memory q = registry.getProvider(a);
            uint256 taken = fromStake + fromUnbonding;
            if (q.stake != p.stake - fromStake) _slashMismatch("slash: not stake first");
            if (q.unbonding != p.unbonding - fromUnbonding) _slashMismatch("slash: unbonding taken wrongly");
            if (souk.balanceOf(recipient) != recipientBefore + taken) _slashMismatch("slash: recipient not paid");
            if (souk.balanceOf(address(registry)) != registryBefore - taken) _slashMismatch("slash: registry balance");
            if (q.slashed != p.slashed + (p.registered ? 1 : 0)) _slashMismatch("slash: counter");
            ghost_slashed += taken;
            uint256 locked = ghost_locked[a];
            locked = amount < locked ? locked - amount : 0;
            if (locked > q.stake) locked = q.stake;
            ghost_locked[a] = locked;
        }
        _done("slash", ok);
    }

    /// @dev The ComputeEscrow locks up to the free stake of `actor` (a quarter of the time a little more: refused).
    function lockStake(uint256 actorSeed, uint256 amountSeed) external action("lockStake") {
        address a = _actor(actorSeed);
        uint256 free = registry.getProvider(a).stake - registry.lockedStake(a);
        bool over = amountSeed % 4 == 0;
        uint256 amount = over ? free + bound(amountSeed >> 2, 1, 100 ether) : bound(amountSeed >> 2, 0, free);
        vm.prank(slasher);
        (bool ok,) = address(registry).call(abi.encodeCall(registry.lockStake, (a, amount)));
        if (ok == over) _mismatch(over ? "lockStake: locked more than the free stake" : "lockStake: refused");
        if (ok) ghost_locked[a] += amount;
        _done("lockStake", ok);
    }

    /// @dev The ComputeEscrow releases part, all or more than all of `actor`'s lock (never below zero).
    function unlockStake(uint256 actorSeed, uint256 amountSeed) external action("unlockStake") {
        address a = _actor(actorSeed);
        uint256 locked = registry.lockedStake(a);
        uint256 amount = bound(amountSeed, 0, locked + 100 ether);
        vm.prank(slasher);
        (bool ok,) = address(registry).call(abi.encodeCall(registry.unlockStake, (a, amount)));
        if (!ok) _mismatch("unlockStake: refused");
        if (ok) ghost_locked[a] = amount < ghost_locked[a] ? ghost_locked[a] - amount : 0;
        _done("unlockStake", ok);
    }

    function warp(uint256 secondsSeed) external action("warp") {
        _warpTo(block.timestamp + bound(secondsSeed, 1 minutes, 12 hours));
        _done("warp", true);
    }


    // ═════════════════════════════ views for the invariants ═════════════════════════════

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function allActors() external view returns (address[] memory) {
        return actors;
    }

    function totalCalls() external view returns (uint256 total) {
        for (uint256 i; i < _actionNames.length; ++i) {
            total += calls[keccak256(bytes(_actionNames[i]))];
        }
    }

    function successesWithinCalls() external view returns (bool) {
        for (uint256 i; i < _actionNames.length; ++i) {
            bytes32 k = keccak256(bytes(_actionNames[i]));
            if (successes[k] > calls[k]) return false;
        }
        return true;
    }

    function successCount(string memory name) external view returns (uint256) {
        return successes[keccak256(bytes(name))];
    }

    function logSummary() external view {
        MoneyLog.log("== MoneyHandler: action -> calls / successes ==");
        for (uint256 i; i < _actionNames.length; ++i) {
            bytes32 k = keccak256(bytes(_actionNames[i]));
            MoneyLog.log(string.concat(_actionNames[i], " calls"), calls[k]);
            MoneyLog.log(string.concat(_actionNames[i], "   ok"), successes[k]);
        }
        MoneyLog.log("native credited+pushed by the marketplace", ghost_distributed[0][address(market)]);
        MoneyLog.log("native credited+pushed by licences", ghost_distributed[0][address(licenses)]);
        MoneyLog.log("SOUK slashed to the recipient", ghost_slashed);
    }

    // ═════════════════════════════ internals ═════════════════════════════

    /// @dev Runs `data` on `target` as `actor` (an EOA by prank, a contract actor through its `execute`), paying
    /// `value` from the actor's own balance. Never reverts.
    function _act(address actor, address target, uint256 value, bytes memory data) internal returns (bool ok) {
        if (isContractActor[actor]) {
            bytes memory call_ = abi.encodeCall(IActor.execute, (target, data));
            vm.prank(actor);
            (ok,) = actor.call{value: value}(call_);
        } else {
            vm.prank(actor);
            (ok,) = target.call{value: value}(data);
        }
    }

    function _done(string memory name, bool ok) internal {
        if (ok) ++successes[keccak256(bytes(name))];
    }

    function _mismatch(string memory what) internal {
        if (ghost_payoutMismatch == 0) ghost_firstMismatch = what;
        ++ghost_payoutMismatch;
    }

    function _warpTo(uint256 t) internal {
        if (t <= currentTime) return;
        currentTime = t;
        vm.warp(t);
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function _token(uint256 seed) internal view returns (bool, uint256) {
        uint256 n = nft.totalMinted();
        if (n == 0) return (false, 0);
        return (true, bound(seed, 1, n));
    }

    function _currency(uint256 seed) internal view returns (address) {
        return seed % 2 == 0 ? NATIVE : address(usd);
    }

    function _ci(address currency) internal pure returns (uint256) {
        return currency == NATIVE ? 0 : 1;
    }

    function _price(address currency, uint256 seed, uint256 min) internal pure returns (uint256) {
        return currency == NATIVE ? bound(seed, min, 5 ether) : bound(seed, min, 1e10);
    }

    function _value(address currency, uint256 amount) internal pure returns (uint256) {
        return currency == NATIVE ? amount : 0;
    }

    function _payoutsContract(uint256 seed) internal view returns (address) {
        return seed % 2 == 0 ? address(market) : address(licenses);
    }

    /// @dev First token from `seed`'s offset that has: 0 a listing, 1 a valid listing, 2 active licence terms.
    function _pickToken(uint256 seed, uint256 mode) internal view returns (uint256) {
        uint256 n = nft.totalMinted();
        if (n == 0) return 0;
        uint256 start = bound(seed, 1, n) - 1;
        for (uint256 j; j < n; ++j) {
            uint256 id = 1 + (start + j) % n;
            if (mode == 0 && market.getListing(id).seller != address(0)) return id;
            if (mode == 1 && market.isListingValid(id)) return id;
            if (mode == 2 && licenses.getTerms(id).active) return id;
        }
        return 0;
    }

    /// @dev First (contract, currency, actor) from the seeds' offsets holding pull credits.
    function _pickCredit(uint256 contractSeed, uint256 currencySeed, uint256 actorSeed)
        internal
        view
        returns (address c, address currency, address a, uint256 amount)
    {
        uint256 n = actors.length;
        (contractSeed, currencySeed, actorSeed) = (contractSeed % 2, currencySeed % 2, actorSeed % n);
        for (uint256 j; j < 4 * n; ++j) {
            c = _payoutsContract(contractSeed + j / (2 * n));
            currency = _currency(currencySeed + (j / n) % 2);
            a = actors[(actorSeed + j) % n];
            amount = IPayouts(c).creditsOf(currency, a);
            if (amount != 0) return (c, currency, a, amount);
        }
    }

    function _slashMismatch(string memory what) internal {
        if (ghost_slashMismatch == 0) ghost_firstSlashError = what;
        ++ghost_slashMismatch;
    }

    // ───────── ledger ─────────

    function _lReset(address currency, address c) internal {
        delete _lWho;
        delete _lExpected;
        delete _lBefore;
        _lCurrency = currency;
        _lContract = c;
    }

    function _lExpect(address who, int256 amount) internal {
        for (uint256 i; i < _lWho.length; ++i) {
            if (_lWho[i] == who) {
                _lExpected[i] += amount;
                return;
            }
        }
        _lWho.push(who);
        _lExpected.push(amount);
    }

    function _lSnap() internal {
        for (uint256 i; i < _lWho.length; ++i) {
            _lBefore.push(_worth(_lWho[i]));
        }
    }

    /// @dev Compares every party's measured change with its expected change; returns the sum of the changes.
    function _lCheck(string memory what) internal returns (int256 total) {
        for (uint256 i; i < _lWho.length; ++i) {
            int256 delta = _worth(_lWho[i]) - _lBefore[i];
            total += delta;
            if (delta != _lExpected[i]) _mismatch(what);
        }
    }

    /// @dev Balance plus pull credits in the ledger's contract, in the ledger's currency.
    function _worth(address who) internal view returns (int256) {
        uint256 bal = _lCurrency == NATIVE ? who.balance : usd.balanceOf(who);
        return int256(bal + IPayouts(_lContract).creditsOf(_lCurrency, who));
    }
}
