// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A seller / royalty receiver / licence owner that, on its first native receipt after `arm`, calls back
/// `target` with `data` and records whether that call succeeded and the selector it reverted with. Kept cheap (one
/// packed slot) so that it fits in a 50,000-gas push.
contract MarketReentrantSeller {
    address public target;
    bool public armed;
    bool public reentered;
    bytes4 public revertSelector;
    uint32 public receipts;
    bytes public data;

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
    }

    receive() external payable {
        receipts += 1;
        if (!armed) return;
        armed = false;
        (bool ok, bytes memory ret) = target.call(data);
        reentered = ok;
        if (!ok && ret.length >= 4) revertSelector = bytes4(ret);
    }

    function execute(address target_, bytes calldata data_) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target_.call{value: msg.value}(data_);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}
