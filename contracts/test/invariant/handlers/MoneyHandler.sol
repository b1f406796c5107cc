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
import {ComputeMarket} from "../../../src/ComputeMarket.sol";
import {IComputeMarket} from "../../../src/interfaces/IComputeMarket.sol";
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
/// @notice The single target of the money invariant suite: bounded actions over Marketplace, Licenses,
/// ProviderRegistry and ComputeMarket by a pool of actors (EOAs plus a reverting and a gas-burning contract),
/// with ghost accounting of every wei collected, paid, credited, escrowed and withdrawn.
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
    uint256 internal constant MAX_JOBS = 48;

    struct Deployment {
        SoukToken souk;
        AgentNFT nft;
        Marketplace market;
        Licenses licenses;
        ProviderRegistry registry;
        ComputeMarket compute;
        MockERC20 usd;
        address treasury;
        address scheduler;
        address referee;
        address gasBurner;
        address admin;
    }

    SoukToken public souk;
    AgentNFT public nft;
    Marketplace public market;
    Licenses public licenses;
    ProviderRegistry public registry;
    ComputeMarket public compute;
    MockERC20 public usd;
    address public treasury;
    address public scheduler;
    address public referee;
    /// @dev Governance: changes the job parameters mid-job ({governParameters}).
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
    /// @dev Providers whose bonded SOUK dropped at a settlement although they committed to no fault in that job.
    uint256 public ghost_honestSlashed;
    /// @dev Faults (wrong result settled by the referee, no commit, no reveal) that did not cost exactly the job's
    /// slash amount.
    uint256 public ghost_faultEscaped;
    string public ghost_firstSlashError;
    /// @dev Per currency (0 native, 1 usd): collected by each contract, distributed (pushed + credited) by it.
    mapping(uint256 => mapping(address => uint256)) public ghost_collected;
    mapping(uint256 => mapping(address => uint256)) public ghost_distributed;
    mapping(uint256 => mapping(address => uint256)) public ghost_withdrawn;

    uint256[] public jobIds;
    mapping(uint256 => uint256) public ghost_jobReward;
    mapping(uint256 => address) public ghost_jobCurrency;
    mapping(uint256 => bool) public ghost_jobClosed;
    /// @dev Measured sum of (balance + credit) increases of the payees when the job was settled or refunded.
    mapping(uint256 => uint256) public ghost_jobPaidOut;
    mapping(uint256 => mapping(address => bytes32)) internal _resultOf;

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
        compute = d.compute;
        usd = d.usd;
        treasury = d.treasury;
        scheduler = d.scheduler;
        referee = d.referee;
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
            _act(a, address(usd), 0, abi.encodeCall(usd.approve, (address(compute), type(uint256).max)));
            _act(a, address(souk), 0, abi.encodeCall(souk.approve, (address(registry), type(uint256).max)));
        }

        string[31] memory names = [
            "mint", "publishVersion", "list", "updatePrice", "cancel", "buy", "transferNFT", "setTerms",
            "purchaseLicense", "withdrawCredits", "registerProvider", "increaseStake", "requestUnbond",
            "withdrawStake", "submitJob", "assignProviders", "commitResults", "revealResults", "finalize",
            "challenge", "settleDispute", "refund", "cancelJob", "warp", "progressJob", "failJob",
            "lastSecondRevealThenSelfFinalize", "lateAssign", "governParameters", "unbondDuringJob",
            "partialRevealThenRefund"
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
        _done(
            "setTerms",
            _act(owner, address(licenses), 0, abi.encodeCall(licenses.setTerms, (id, currency, price, duration)))
        );
    }

    function purchaseLicense(uint256 tokenSeed, uint256 actorSeed, uint256 licenseeSeed)
        external
        action("purchaseLicense")
    {
        uint256 id = _pickToken(tokenSeed, 2);
        if (id == 0) return;
        ILicenses.Terms memory t = licenses.getTerms(id);
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
        bytes memory data = licenseeSeed % 2 == 0
            ? abi.encodeCall(licenses.purchaseLicense, (id, licensee))
            : abi.encodeCall(licenses.purchaseLicenseAt, (id, licensee, t.currency, price, t.duration));
        bool ok = _act(payer, address(licenses), _value(t.currency, price), data);
        if (ok) {
            _lCheck("purchaseLicense");
            if (!licenses.hasAccess(licensee, id)) _mismatch("purchaseLicense: no access");
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
        _done("requestUnbond", _act(a, address(registry), 0, abi.encodeCall(registry.requestUnbond, (amount))));
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

    // ═════════════════════════════ ComputeMarket ═════════════════════════════

    function submitJob(uint256 actorSeed, uint256 tokenSeed, uint256 rewardSeed, uint256 shapeSeed)
        external
        action("submitJob")
    {
        if (jobIds.length >= MAX_JOBS) return;
        (bool exists, uint256 modelId) = _token(tokenSeed);
        if (!exists) return;
        address requester = _actor(actorSeed);
        address currency = _currency(shapeSeed);
        uint8 r = uint8(1 + (shapeSeed >> 1) % 5);
        uint40 deadline = uint40(block.timestamp + 1 hours + (shapeSeed >> 16) % (compute.maxJobDuration() - 1 hours));
        uint256 reward = _price(currency, rewardSeed, 1);

        uint256 escrowBefore = compute.totalEscrowed(currency);
        _lReset(currency, address(compute));
        _lExpect(requester, -int256(reward));
        _lSnap();
        bool ok = _act(
            requester,
            address(compute),
            _value(currency, reward),
            abi.encodeCall(compute.submitJob, (modelId, keccak256("input"), reward, currency, r, deadline))
        );
        if (ok) {
            _lCheck("submitJob");
            uint256 id = compute.jobCount();
            jobIds.push(id);
            ghost_jobReward[id] = reward;
            ghost_jobCurrency[id] = currency;
            ghost_collected[_ci(currency)][address(compute)] += reward;
            if (compute.totalEscrowed(currency) != escrowBefore + reward) _mismatch("submitJob: escrow");
        }
        _done("submitJob", ok);
    }

    function assignProviders(uint256 jobSeed, uint256 provSeed) external action("assignProviders") {
        uint256 id = _pickJob(jobSeed, 0);
        if (id == 0) return;
        uint256 r = compute.getJob(id).redundancy;
        address[] memory active = new address[](actors.length);
        uint256 n;
        for (uint256 i; i < actors.length; ++i) {
            if (registry.isActive(actors[i])) active[n++] = actors[i];
        }
        if (n < r) return;
        address[] memory chosen = new address[](r);
        uint256 start = provSeed % n;
        for (uint256 i; i < r; ++i) {
            chosen[i] = active[(start + i) % n];
        }
        vm.prank(scheduler);
        (bool ok,) = address(compute).call(abi.encodeCall(compute.assignProviders, (id, chosen)));
        _done("assignProviders", ok);
    }

    /// @dev Commits for the providers of an assigned job who have not yet (all of them, or 1..5 when
    /// `countSeed % 4 == 0`); when `corruptSeed` is even, those whose slot bit is set in `corruptSeed >> 2` commit
    /// to a wrong result.
    function commitResults(uint256 jobSeed, uint256 countSeed, uint256 corruptSeed) external action("commitResults") {
        uint256 id = _pickJob(jobSeed, 1);
        if (id == 0) return;
        uint256 mask = corruptSeed % 2 == 0 ? corruptSeed >> 2 : 0;
        uint256 budget = countSeed % 4 == 0 ? 1 + (countSeed >> 2) % 5 : 5; // mostly: everyone left
        address[] memory ps = compute.providersOf(id);
        bool any;
        for (uint256 i; i < ps.length && budget != 0; ++i) {
            address p = ps[i];
            if (compute.getAssignment(id, p).commitment != 0) continue;
            bytes32 result = (mask >> i) & 1 == 1 ? keccak256(abi.encode("wrong", id, p)) : _honest(id);
            _resultOf[id][p] = result;
            bytes32 commitment = compute.commitmentOf(result, _salt(id, p), p);
            if (_act(p, address(compute), 0, abi.encodeCall(compute.commitResult, (id, commitment)))) any = true;
            --budget;
        }
        _done("commitResults", any);
    }

    function revealResults(uint256 jobSeed, uint256 countSeed) external action("revealResults") {
        uint256 id = _pickJob(jobSeed, 2);
        if (id == 0) return;
        uint256 budget = countSeed % 4 == 0 ? 1 + (countSeed >> 2) % 5 : 5; // mostly: everyone left
        address[] memory ps = compute.providersOf(id);
        bool any;
        for (uint256 i; i < ps.length && budget != 0; ++i) {
            address p = ps[i];
            if (compute.getAssignment(id, p).result != 0) continue;
            bytes memory data = abi.encodeCall(compute.revealResult, (id, _resultOf[id][p], _salt(id, p)));
            if (_act(p, address(compute), 0, data)) any = true;
            --budget;
        }
        _done("revealResults", any);
    }

    /// @dev Half the time the scheduler finalizes (allowed at once); otherwise an actor, who may only once the
    /// reveal window is over: with `callerSeed % 4 == 2` time first moves past the deadline, with 3 it does not, and
    /// a success inside the window counts as a mismatch.
    function finalize(uint256 jobSeed, uint256 callerSeed) external action("finalize") {
        uint256 id = _pickJob(jobSeed, 3);
        if (id == 0) return;
        uint256 mode = callerSeed % 4;
        uint256 auditEnd = _auditEnd(id);
        if (mode == 2) _warpTo(auditEnd + 1);
        bool early = block.timestamp <= auditEnd;
        address[] memory ps = compute.providersOf(id);
        _snapSlashes(id, 0);
        _expectSettlement(id, ps, ps.length);
        bool ok;
        if (mode < 2) {
            vm.prank(scheduler);
            (ok,) = address(compute).call(abi.encodeCall(compute.finalize, (id)));
        } else {
            ok = _act(_actor(callerSeed >> 2), address(compute), 0, abi.encodeCall(compute.finalize, (id)));
            if (ok && early) _mismatch("finalize: non-scheduler inside the audit window");
        }
        _closeJob(id, ok, "finalize");
        _checkSlashes(ok);
        _done("finalize", ok);
    }

    /// @dev A random audit: the referee challenges an agreeing job (settled later by {settleDispute}, or refunded
    /// after the dispute period). One time in four an actor tries instead, and must fail. No money moves.
    function challenge(uint256 jobSeed, uint256 callerSeed) external action("challenge") {
        uint256 id = _pickJob(jobSeed, 3);
        if (id == 0) return;
        address c = address(compute);
        uint256 escrowBefore = compute.totalEscrowed(ghost_jobCurrency[id]);
        uint256 balanceBefore = ghost_jobCurrency[id] == NATIVE ? c.balance : usd.balanceOf(c);
        bool ok;
        if (callerSeed % 4 == 3) {
            ok = _act(_actor(callerSeed >> 2), c, 0, abi.encodeCall(compute.challenge, (id)));
            if (ok) _mismatch("challenge: by a non-referee");
        } else {
            bool late = block.timestamp > _auditEnd(id);
            vm.prank(referee);
            (ok,) = c.call(abi.encodeCall(compute.challenge, (id)));
            if (!ok && !late) _mismatch("challenge: referee refused inside the audit window");
            if (ok && late) _mismatch("challenge: accepted after the audit window");
        }
        if (ok) {
            if (compute.getJob(id).status != IComputeMarket.JobStatus.Disputed) _mismatch("challenge: not disputed");
            uint256 balanceAfter = ghost_jobCurrency[id] == NATIVE ? c.balance : usd.balanceOf(c);
            if (compute.totalEscrowed(ghost_jobCurrency[id]) != escrowBefore || balanceAfter != balanceBefore) {
                _mismatch("challenge: money moved");
            }
        }
        _done("challenge", ok);
    }

    function settleDispute(uint256 jobSeed) external action("settleDispute") {
        uint256 id = _pickJob(jobSeed, 4);
        if (id == 0) return;
        bytes32 honest = _honest(id);
        address[] memory ps = compute.providersOf(id);
        address[] memory winners = new address[](ps.length);
        uint256 k;
        for (uint256 i; i < ps.length; ++i) {
            if (compute.getAssignment(id, ps[i]).result == honest) winners[k++] = ps[i];
        }
        _snapSlashes(id, 1);
        if (k == 0) _expectRefund(id);
        else _expectSettlement(id, winners, k);
        vm.prank(referee);
        (bool ok,) = address(compute).call(abi.encodeCall(compute.settleDispute, (id, honest)));
        _closeJob(id, ok, "settleDispute");
        _checkSlashes(ok);
        _done("settleDispute", ok);
    }

    function refund(uint256 jobSeed, uint256 callerSeed, uint256 warpSeed) external action("refund") {
        uint256 id = _pickJob(jobSeed, 5);
        if (id == 0) return;
        IComputeMarket.Job memory job = compute.getJob(id);
        uint256 refundableAt = job.deadline;
        if (job.status == IComputeMarket.JobStatus.Disputed) refundableAt = _auditEnd(id) + job.disputePeriod;
        if (block.timestamp <= refundableAt) {
            if (warpSeed % 3 != 0) return;
            _warpTo(refundableAt + 1);
        }
        _snapSlashes(id, 2);
        _expectRefund(id);
        bool ok = _act(_actor(callerSeed), address(compute), 0, abi.encodeCall(compute.refund, (id)));
        _closeJob(id, ok, "refund");
        _checkSlashes(ok);
        _done("refund", ok);
    }

    function cancelJob(uint256 jobSeed) external action("cancelJob") {
        if (jobSeed % 3 != 0) return; // cancel sparingly: open jobs feed the settlement paths
        uint256 id = _pickJob(jobSeed >> 2, 6);
        if (id == 0) return;
        _expectRefund(id);
        bool ok = _act(compute.getJob(id).requester, address(compute), 0, abi.encodeCall(compute.cancelJob, (id)));
        _closeJob(id, ok, "cancelJob");
        _done("cancelJob", ok);
    }

    /// @dev Pushes one job one to three steps along its lifecycle (assign → commit → reveal → finalize, or
    /// challenge one time in eight → settle, or refund once expired) through the actions above: a 5-step pipeline
    /// otherwise rarely completes within one run.
    function progressJob(uint256 jobSeed, uint256 aux) external action("progressJob") {
        uint256 steps = 1 + aux % 3;
        for (uint256 i; i < steps; ++i) {
            if (!_progressOne(jobSeed, aux >> 2)) return;
        }
        _done("progressJob", true);
    }

    function _progressOne(uint256 jobSeed, uint256 aux) internal returns (bool) {
        uint256 n = jobIds.length;
        for (uint256 j; j < n; ++j) {
            uint256 idx = (jobSeed % n + j) % n;
            IComputeMarket.Job memory job = compute.getJob(jobIds[idx]);
            IComputeMarket.JobStatus s = job.status;
            if (
                s == IComputeMarket.JobStatus.Finalized || s == IComputeMarket.JobStatus.Refunded
                    || s == IComputeMarket.JobStatus.Failed
            ) continue;
            bool live = block.timestamp <= job.deadline;
            bool complete = job.revealedCount == job.redundancy;
            if (s == IComputeMarket.JobStatus.Revealing && complete) {
                if (aux % 8 == 7) this.challenge(idx, 0);
                else this.finalize(idx, aux);
            }
            else if (s == IComputeMarket.JobStatus.Disputed) this.settleDispute(idx);
            else if (!live) this.refund(idx, aux, 0);
            else if (s == IComputeMarket.JobStatus.Open) this.assignProviders(idx, aux);
            else if (s == IComputeMarket.JobStatus.Assigned) this.commitResults(idx, aux, aux >> 8);
            else this.revealResults(idx, aux);
            return true;
        }
        return false;
    }

    /// @dev The referee fails an Open or Assigned job (it cannot run): full refund, nobody slashed, locks released.
    function failJob(uint256 jobSeed) external action("failJob") {
        if (jobSeed % 4 != 0) return; // sparingly: open jobs feed the settlement paths
        uint256 id = _pickJob(jobSeed >> 2, 7);
        if (id == 0) return;
        _snapSlashes(id, 0);
        _expectRefund(id);
        vm.prank(referee);
        (bool ok,) = address(compute).call(abi.encodeCall(compute.failJob, (id, keccak256("souk.fail.bad-input"))));
        if (!ok) _mismatch("failJob: referee refused an Open or Assigned job");
        if (ok && compute.getJob(id).status != IComputeMarket.JobStatus.Failed) _mismatch("failJob: not Failed");
        _closeJob(id, ok, "failJob");
        _checkSlashes(ok);
        _done("failJob", ok);
    }

    /// @dev A revealing job's missing reveals land at the deadline's last second; if they agree, one of its providers
    /// then tries to finalize one second later (closing the referee's audit window, the hole of audit item 13): it
    /// must fail.
    function lastSecondRevealThenSelfFinalize(uint256 jobSeed) external action("lastSecondRevealThenSelfFinalize") {
        uint256 id = _pickJob(jobSeed, 2);
        if (id == 0) return;
        _warpTo(compute.getJob(id).deadline);
        address[] memory ps = compute.providersOf(id);
        for (uint256 i; i < ps.length; ++i) {
            if (compute.getAssignment(id, ps[i]).result != 0) continue;
            _act(ps[i], address(compute), 0, abi.encodeCall(compute.revealResult, (id, _resultOf[id][ps[i]], _salt(id, ps[i]))));
        }
        IComputeMarket.Job memory job = compute.getJob(id);
        if (job.status != IComputeMarket.JobStatus.Revealing || job.revealedCount != job.redundancy) return;
        _warpTo(block.timestamp + 1);
        bool ok = _act(ps[jobSeed % ps.length], address(compute), 0, abi.encodeCall(compute.finalize, (id)));
        if (ok) {
            _mismatch("self-finalize right after a last-second reveal");
            ghost_jobClosed[id] = true; // keep the job accounting consistent for the other invariants
            ghost_jobPaidOut[id] = ghost_jobReward[id];
            ghost_distributed[_ci(ghost_jobCurrency[id])][address(compute)] += ghost_jobReward[id];
        }
        _done("lastSecondRevealThenSelfFinalize", !ok);
    }

    /// @dev A revealing job where all providers but one reveal, then expires and is refunded: the one that did not
    /// reveal is slashed its job's amount, the ones that did keep every wei (the ledger and the slash ledger check).
    function partialRevealThenRefund(uint256 jobSeed, uint256 callerSeed) external action("partialRevealThenRefund") {
        uint256 id = _pickJob(jobSeed, 2);
        if (id == 0) return;
        address[] memory ps = compute.providersOf(id);
        uint256 silent = jobSeed % ps.length;
        for (uint256 i; i < ps.length; ++i) {
            if (i == silent || compute.getAssignment(id, ps[i]).result != 0) continue;
            bytes memory data = abi.encodeCall(compute.revealResult, (id, _resultOf[id][ps[i]], _salt(id, ps[i])));
            _act(ps[i], address(compute), 0, data);
        }
        IComputeMarket.Job memory job = compute.getJob(id);
        if (job.status != IComputeMarket.JobStatus.Revealing || job.revealedCount == job.redundancy) return;
        _warpTo(uint256(job.deadline) + 1);
        _snapSlashes(id, 2);
        _expectRefund(id);
        bool ok = _act(_actor(callerSeed), address(compute), 0, abi.encodeCall(compute.refund, (id)));
        if (!ok) _mismatch("refund of an expired partly revealed job refused");
        _closeJob(id, ok, "partialRevealThenRefund");
        _checkSlashes(ok);
        _done("partialRevealThenRefund", ok);
    }

    /// @dev The scheduler releases an uncommitted provider of an assigned job (it never received the work): its stake
    /// and failure counter must not move, its lock is released. When `fillSeed` is even, it then fills the vacated
    /// slot with another active provider (`reassignProvider(id, address(0), p)`), which may fail for lack of time.
    function releaseProvider(uint256 jobSeed, uint256 slotSeed, uint256 fillSeed) external action("releaseProvider") {
        uint256 id = _pickJob(jobSeed, 1);
        if (id == 0) return;
        address[] memory ps = compute.providersOf(id);
        address p;
        for (uint256 j; j < ps.length; ++j) {
            address candidate = ps[(slotSeed + j) % ps.length];
            if (candidate != address(0) && compute.getAssignment(id, candidate).commitment == 0) {
                p = candidate;
                break;
            }
        }
        if (p == address(0)) return;
        IProviderRegistry.Provider memory before = registry.getProvider(p);
        uint256 lockedBefore = registry.lockedStake(p);
        uint256 lock = compute.getJob(id).slashAmount;
        vm.prank(scheduler);
        (bool ok,) = address(compute).call(abi.encodeCall(compute.releaseProvider, (id, p)));
        if (ok) {
            IProviderRegistry.Provider memory afterwards = registry.getProvider(p);
            if (afterwards.stake != before.stake || afterwards.failed != before.failed) {
                _mismatch("released provider charged");
            }
            if (registry.lockedStake(p) != lockedBefore - lock) _mismatch("released provider's lock kept");
        }
        _done("releaseProvider", ok);
        if (!ok || fillSeed % 2 != 0) return;
        for (uint256 i; i < actors.length; ++i) {
            address q = actors[(fillSeed / 2 + i) % actors.length];
            if (!registry.isActive(q) || compute.getAssignment(id, q).assigned) continue;
            vm.prank(scheduler);
            (bool filled,) = address(compute).call(abi.encodeCall(compute.reassignProvider, (id, address(0), q)));
            if (filled) break;
        }
    }

    /// @dev The scheduler tries to assign an open job with less than the minimum working time left (audit item 15):
    /// it must fail.
    function lateAssign(uint256 jobSeed, uint256 leftSeed) external action("lateAssign") {
        uint256 minWork = compute.minWorkingTime();
        if (minWork == 0) return;
        uint256 id = _pickJob(jobSeed, 0);
        if (id == 0) return;
        IComputeMarket.Job memory job = compute.getJob(id);
        uint256 left = bound(leftSeed, 0, minWork - 1);
        if (job.deadline - left <= block.timestamp) return; // already later than that
        _warpTo(job.deadline - left);
        address[] memory chosen = new address[](job.redundancy);
        uint256 n;
        for (uint256 i; i < actors.length && n < chosen.length; ++i) {
            if (registry.isActive(actors[i])) chosen[n++] = actors[i];
        }
        if (n < chosen.length) return;
        vm.prank(scheduler);
        (bool ok,) = address(compute).call(abi.encodeCall(compute.assignProviders, (id, chosen)));
        if (ok) _mismatch("assigned with less than the minimum working time left");
        _done("lateAssign", !ok);
    }

    /// @dev Governance changes the revenue split, slash amount and reveal / audit / dispute periods and the minimum
    /// working time while jobs run (audit item 16): running jobs keep their terms (the ledger checks settlements
    /// against each job's snapshot).
    function governParameters(uint256 seed) external action("governParameters") {
        uint256 which = seed % 6;
        uint256 v = seed >> 8;
        address c = address(compute);
        bytes memory data;
        if (which == 0) {
            uint16 p = uint16(bound(v, 5_000, 9_000));
            uint16 cr = uint16(bound(v >> 16, 0, 10_000 - p));
            data = abi.encodeCall(compute.setRevenueSplit, (p, 10_000 - p - cr, cr));
        } else if (which == 1) {
            data = abi.encodeCall(compute.setSlashAmount, (bound(v, 0, 600 ether)));
        } else if (which == 2) {
            data = abi.encodeCall(compute.setRevealPeriod, (uint64(bound(v, 1 minutes, 2 hours))));
        } else if (which == 3) {
            data = abi.encodeCall(compute.setAuditPeriod, (uint64(bound(v, 1 minutes, 2 hours))));
        } else if (which == 4) {
            data = abi.encodeCall(compute.setDisputePeriod, (uint64(bound(v, 1 hours, 12 hours))));
        } else {
            data = abi.encodeCall(compute.setMinWorkingTime, (uint64(bound(v, 0, 30 minutes))));
        }
        vm.prank(admin);
        (bool ok,) = c.call(data);
        if (!ok) _mismatch("governance: a parameter change inside the bounds was refused");
        _done("governParameters", ok);
    }

    /// @dev A provider assigned to an open job tries to unbond its whole stake (audit item 12): only what no job
    /// locks may go; the locked part must stay.
    function unbondDuringJob(uint256 jobSeed) external action("unbondDuringJob") {
        uint256 id = _pickJob(jobSeed, 8);
        if (id == 0) return;
        address[] memory ps = compute.providersOf(id);
        address p = ps[jobSeed % ps.length];
        uint256 stake = registry.getProvider(p).stake;
        uint256 locked = registry.lockedStake(p);
        if (locked == 0) return;
        bool all = _act(p, address(registry), 0, abi.encodeCall(registry.requestUnbond, (stake)));
        if (all) _mismatch("unbonded stake locked by an open job");
        if (stake > locked) _act(p, address(registry), 0, abi.encodeCall(registry.requestUnbond, (stake - locked)));
        if (registry.lockedStake(p) > registry.getProvider(p).stake) _mismatch("locked above stake");
        _done("unbondDuringJob", !all);
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

    function jobCount() external view returns (uint256) {
        return jobIds.length;
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
        MoneyLog.log("jobs submitted", jobIds.length);
        MoneyLog.log("native credited+pushed by compute", ghost_distributed[0][address(compute)]);
        MoneyLog.log("usd credited+pushed by compute", ghost_distributed[1][address(compute)]);
        MoneyLog.log("native withdrawn from compute credits", ghost_withdrawn[0][address(compute)]);
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
        uint256 i = seed % 3;
        return i == 0 ? address(market) : i == 1 ? address(licenses) : address(compute);
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
        (contractSeed, currencySeed, actorSeed) = (contractSeed % 3, currencySeed % 2, actorSeed % n);
        for (uint256 j; j < 6 * n; ++j) {
            c = _payoutsContract(contractSeed + j / (2 * n));
            currency = _currency(currencySeed + (j / n) % 2);
            a = actors[(actorSeed + j) % n];
            amount = IPayouts(c).creditsOf(currency, a);
            if (amount != 0) return (c, currency, a, amount);
        }
    }

    function _honest(uint256 id) internal pure returns (bytes32) {
        return keccak256(abi.encode("honest", id));
    }

    function _salt(uint256 id, address p) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", id, p));
    }

    /// @dev First job from `seed`'s offset matching `mode`: 0 open & live, 1 assigned & live, 2 revealing & live
    /// with reveals missing, 3 revealing & complete, 4 disputed, 5 refundable kind, 6 open, 7 open or assigned (any
    /// time), 8 with providers and unsettled (assigned, revealing or disputed).
    function _pickJob(uint256 seed, uint256 mode) internal view returns (uint256) {
        uint256 n = jobIds.length;
        if (n == 0) return 0;
        uint256 start = seed % n;
        for (uint256 j; j < n; ++j) {
            uint256 id = jobIds[(start + j) % n];
            IComputeMarket.Job memory job = compute.getJob(id);
            bool live = block.timestamp <= job.deadline;
            IComputeMarket.JobStatus s = job.status;
            bool complete = job.revealedCount == job.redundancy;
            if (mode == 0 && s == IComputeMarket.JobStatus.Open && live) return id;
            if (mode == 1 && s == IComputeMarket.JobStatus.Assigned && live) return id;
            if (mode == 2 && s == IComputeMarket.JobStatus.Revealing && live && !complete) return id;
            if (mode == 3 && s == IComputeMarket.JobStatus.Revealing && complete) return id;
            if (mode == 4 && s == IComputeMarket.JobStatus.Disputed) return id;
            if (
                mode == 5
                    && (s == IComputeMarket.JobStatus.Open || s == IComputeMarket.JobStatus.Assigned
                        || (s == IComputeMarket.JobStatus.Revealing && !complete) || s == IComputeMarket.JobStatus.Disputed)
            ) return id;
            if (mode == 6 && s == IComputeMarket.JobStatus.Open) return id;
            if (mode == 7 && (s == IComputeMarket.JobStatus.Open || s == IComputeMarket.JobStatus.Assigned)) return id;
            if (
                mode == 8
                    && (s == IComputeMarket.JobStatus.Assigned || s == IComputeMarket.JobStatus.Revealing
                        || s == IComputeMarket.JobStatus.Disputed)
            ) return id;
        }
        return 0;
    }

    /// @dev Expected split of a job's reward between `k` winners, the model's creator and the treasury.
    function _expectSettlement(uint256 id, address[] memory winners, uint256 k) internal {
        IComputeMarket.Job memory job = compute.getJob(id);
        uint256 reward = job.reward;
        // The job's own split, snapshotted at submission: governance may have changed the global one since.
        uint256 each = reward * job.providerBps / 10_000 / k;
        uint256 creatorAmount = reward * job.creatorBps / 10_000;
        _lReset(job.currency, address(compute));
        for (uint256 i; i < k; ++i) {
            _lExpect(winners[i], int256(each));
        }
        _lExpect(nft.creatorOf(job.modelId), int256(creatorAmount));
        _lExpect(compute.treasury(), int256(reward - each * k - creatorAmount));
        _lSnap();
    }

    function _expectRefund(uint256 id) internal {
        IComputeMarket.Job memory job = compute.getJob(id);
        _lReset(job.currency, address(compute));
        _lExpect(job.requester, int256(uint256(job.reward)));
        _lSnap();
    }

    /// @dev After a settlement or refund: checks the split and records what the payees measurably received.
    function _closeJob(uint256 id, bool ok, string memory what) internal {
        if (!ok) return;
        int256 paid = _lCheck(what);
        if (ghost_jobClosed[id]) _mismatch("job closed twice");
        ghost_jobClosed[id] = true;
        ghost_jobPaidOut[id] = paid < 0 ? 0 : uint256(paid);
        ghost_distributed[_ci(ghost_jobCurrency[id])][address(compute)] += ghost_jobReward[id];
    }

    /// @dev The last second of the job's audit window: max(deadline, auditEndsAt).
    function _auditEnd(uint256 id) internal view returns (uint256) {
        IComputeMarket.Job memory job = compute.getJob(id);
        return job.auditEndsAt > job.deadline ? job.auditEndsAt : job.deadline;
    }

    // ───────── slash ledger ─────────
    address[] internal _sWho;
    uint256[] internal _sBefore;
    uint256[] internal _sExpected;

    /// @dev Before a settlement (`kind` 0 finalize / failJob, 1 settleDispute with the honest result, 2 refund):
    /// each provider's bonded SOUK and what the settlement must slash it — the job's snapshot slash amount for a
    /// fault, nothing otherwise.
    function _snapSlashes(uint256 id, uint256 kind) internal {
        delete _sWho;
        delete _sBefore;
        delete _sExpected;
        IComputeMarket.Job memory job = compute.getJob(id);
        address[] memory ps = compute.providersOf(id);
        bytes32 honest = _honest(id);
        for (uint256 i; i < ps.length; ++i) {
            if (ps[i] == address(0)) continue; // a slot vacated by releaseProvider: nobody to slash
            IComputeMarket.Assignment memory a = compute.getAssignment(id, ps[i]);
            bool fault;
            if (kind == 1) {
                fault = a.result != honest;
            } else if (kind == 2) {
                fault = (job.status == IComputeMarket.JobStatus.Assigned && a.commitment == 0)
                    || (job.status == IComputeMarket.JobStatus.Revealing && a.result == 0);
            }
            IProviderRegistry.Provider memory p = registry.getProvider(ps[i]);
            _sWho.push(ps[i]);
            _sBefore.push(uint256(p.stake) + p.unbonding);
            _sExpected.push(fault ? job.slashAmount : 0);
        }
    }

    /// @dev After a successful settlement: honest providers lost nothing, faulty ones exactly their slash.
    function _checkSlashes(bool ok) internal {
        if (!ok) return;
        for (uint256 i; i < _sWho.length; ++i) {
            IProviderRegistry.Provider memory p = registry.getProvider(_sWho[i]);
            uint256 lost = _sBefore[i] - (uint256(p.stake) + p.unbonding);
            if (_sExpected[i] == 0 && lost != 0) {
                if (ghost_honestSlashed == 0) ghost_firstSlashError = "honest provider slashed";
                ++ghost_honestSlashed;
            } else if (lost != _sExpected[i]) {
                if (ghost_faultEscaped == 0) ghost_firstSlashError = "fault not slashed its amount";
                ++ghost_faultEscaped;
            }
        }
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
