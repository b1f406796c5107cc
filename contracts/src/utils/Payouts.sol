// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPayouts} from "../interfaces/IPayouts.sol";

/// @title Payouts
/// @notice Collects payments and pays receivers without letting any receiver block the payer.
/// @dev Every payment first lands in this contract ({_collect}), then is pushed to each receiver ({_pay}). A push
/// that fails (a reverting `receive`, a gas-burning receiver, a blocklisted ERC-20 address) is not retried: the
/// amount is credited and the receiver pulls it later with {withdrawCredits} ("pull-payment fallback", the pattern
/// of OpenZeppelin's PullPayment). Native pushes forward at most {PUSH_GAS_LIMIT} gas and copy no return data, so
/// a griefing receiver costs the payer a bounded amount of gas.
///
/// Money invariant kept by every inheriting contract: its balance of each currency equals the escrow it holds
/// plus {totalCredits} (plus, for Marketplace and Licenses, nothing else: they hold no escrow).
abstract contract Payouts is IPayouts {
    using SafeERC20 for IERC20;

    /// @notice The currency id of the chain's native coin.
    address public constant NATIVE = address(0);

    /// @notice Gas forwarded to a native receiver on push: enough for a smart-wallet `receive` that logs or
    /// forwards, too little to grief.
    uint256 public constant PUSH_GAS_LIMIT = 50_000;

    mapping(address currency => bool) private _allowedCurrencies;
    mapping(address currency => mapping(address account => uint256)) private _credits;
    mapping(address currency => uint256) private _totalCredits;

    constructor() {
        _allowedCurrencies[NATIVE] = true;
    }

    /// @inheritdoc IPayouts
    function withdrawCredits(address currency, address to) external virtual returns (uint256 amount) {
        amount = _credits[currency][msg.sender];
        if (amount == 0) revert SoukNothingToWithdraw(msg.sender, currency);
        _credits[currency][msg.sender] = 0;
        _totalCredits[currency] -= amount;
        emit CreditsWithdrawn(currency, msg.sender, to, amount);
        if (currency == NATIVE) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert SoukWithdrawalFailed(to, amount);
        } else {
            IERC20(currency).safeTransfer(to, amount);
        }
    }

    /// @inheritdoc IPayouts
    function creditsOf(address currency, address account) external view returns (uint256) {
        return _credits[currency][account];
    }

    /// @inheritdoc IPayouts
    function totalCredits(address currency) external view returns (uint256) {
        return _totalCredits[currency];
    }

    /// @inheritdoc IPayouts
    function isCurrencyAllowed(address currency) public view returns (bool) {
        return _allowedCurrencies[currency];
    }

    /// @dev Adds or removes a payment currency. Only plain ERC-20s belong here: fee-on-transfer and rebasing tokens
    /// break the equality between what is collected and what is owed.
    /// Emits {CurrencyAllowed}.
    function _setCurrencyAllowed(address currency, bool allowed) internal {
        _allowedCurrencies[currency] = allowed;
        emit CurrencyAllowed(currency, allowed);
    }

    /// @dev Takes `amount` of `currency` from `from` into this contract.
    /// Requirements: `currency` allowed ({SoukCurrencyNotAllowed}); for native, `msg.value == amount`
    /// ({SoukIncorrectPayment}); for an ERC-20, `msg.value == 0` and an allowance of at least `amount`.
    function _collect(address currency, address from, uint256 amount) internal {
        if (!_allowedCurrencies[currency]) revert SoukCurrencyNotAllowed(currency);
        if (currency == NATIVE) {
            if (msg.value != amount) revert SoukIncorrectPayment(msg.value, amount);
        } else {
            if (msg.value != 0) revert SoukIncorrectPayment(msg.value, 0);
            if (amount != 0) IERC20(currency).safeTransferFrom(from, address(this), amount);
        }
    }

    /// @dev Credits `amount` of `currency`, already held by this contract, to `to` for pull withdrawal
    /// ({withdrawCredits}), without trying a push: for callers that pay many receivers at once (ComputeEscrow's
    /// batches), where a push per receiver would cost more gas than the payment is worth. Emits nothing (the
    /// caller's event names the payees).
    function _credit(address currency, address to, uint256 amount) internal {
        _credits[currency][to] += amount;
        _totalCredits[currency] += amount;
    }

    /// @dev Pays `amount` of `currency` held by this contract to `to`; on failure credits it instead.
    /// Emits {PaymentCredited} when the push failed.
    function _pay(address currency, address to, uint256 amount) internal {
        if (amount == 0) return;
        bool ok;
        if (currency == NATIVE) {
            uint256 gasLimit = PUSH_GAS_LIMIT;
            // A plain call that copies no return data: a receiver cannot make us pay for a return bomb.
            assembly ("memory-safe") {
                ok := call(gasLimit, to, amount, 0, 0, 0, 0)
            }
        } else {
            ok = IERC20(currency).trySafeTransfer(to, amount);
        }
        if (!ok) {
            _credits[currency][to] += amount;
            _totalCredits[currency] += amount;
            emit PaymentCredited(currency, to, amount);
        }
    }
}
