// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Rejects every native payment: a griefing royalty receiver, seller or provider.
contract RevertingReceiver {
    receive() external payable {
        revert("no thanks");
    }

    /// @dev Lets tests have it act (mint, list, register) through arbitrary calls.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}

/// @notice Burns all gas it is given on receipt, then returns a huge return-data blob (a "return bomb").
contract GasBurningReceiver {
    receive() external payable {
        while (gasleft() > 1_000) {}
        assembly {
            return(0, 1000000)
        }
    }

    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}

/// @notice On receipt of native currency, calls back `target` with `data` once (a reentrancy attempt) and records
/// whether the reentrant call succeeded.
contract ReentrantReceiver {
    address public target;
    bytes public data;
    bool public attempted;
    bool public reentered;

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
    }

    receive() external payable {
        if (attempted || target == address(0)) return;
        attempted = true;
        (reentered,) = target.call(data);
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

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }
}
