// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPayouts
/// @notice Payment plumbing shared by Souk's paying contracts (Marketplace, Licenses, ComputeEscrow): an allow-list
/// of payment currencies (`address(0)` is the chain's native currency, anything else an ERC-20), push payments that
/// fall back to pull credits when a receiver reverts or burns gas, and the withdrawal of those credits.
interface IPayouts {
    /// @notice Thrown when a payment currency is not on the allow-list.
    /// @param currency The ERC-20 address, or `address(0)` for the native currency.
    error SoukCurrencyNotAllowed(address currency);

    /// @notice Thrown when the native value sent does not equal the amount due.
    /// @param sent `msg.value` in wei.
    /// @param expected Amount due in wei.
    error SoukIncorrectPayment(uint256 sent, uint256 expected);

    /// @notice Thrown when an account withdraws credits it does not have.
    /// @param account The caller.
    /// @param currency The currency asked for.
    error SoukNothingToWithdraw(address account, address currency);

    /// @notice Thrown when a withdrawal of credits fails to transfer.
    /// @param to The receiver.
    /// @param amount Amount in wei of `currency`.
    error SoukWithdrawalFailed(address to, uint256 amount);

    /// @notice Emitted when governance adds or removes a payment currency.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param allowed Whether it may now be used.
    event CurrencyAllowed(address indexed currency, bool allowed);

    /// @notice Emitted when a push payment failed and the amount was credited for pull withdrawal instead.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param account The receiver whose push failed.
    /// @param amount Amount credited, in wei of `currency`.
    event PaymentCredited(address indexed currency, address indexed account, uint256 amount);

    /// @notice Emitted when an account withdraws its credits.
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param account The account whose credits were withdrawn.
    /// @param to Where they were sent.
    /// @param amount Amount in wei of `currency`.
    event CreditsWithdrawn(address indexed currency, address indexed account, address to, uint256 amount);

    /// @notice Withdraws the caller's credits in `currency` (amounts whose push payment failed) to `to`.
    /// @dev Never blocked by pausing. Reverts {SoukNothingToWithdraw} when the credit is zero, {SoukWithdrawalFailed}
    /// when the transfer to `to` fails (the credit is then kept).
    /// @param currency ERC-20 address, or `address(0)` for native.
    /// @param to Receiver of the funds.
    /// @return amount The amount sent, in wei of `currency`.
    function withdrawCredits(address currency, address to) external returns (uint256 amount);

    /// @notice Credits `account` may withdraw in `currency`, in wei.
    function creditsOf(address currency, address account) external view returns (uint256);

    /// @notice Sum of all outstanding credits in `currency`, in wei (what the contract owes besides escrow).
    function totalCredits(address currency) external view returns (uint256);

    /// @notice Whether `currency` may be used to pay.
    function isCurrencyAllowed(address currency) external view returns (bool);
}
