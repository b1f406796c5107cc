/** Limits of the Solidity integer types the wire carries as decimal strings. */

/** `type(uint256).max` = 2^256 − 1: the largest asset id, job id, amount (wei) or nonce. */
export const UINT256_MAX = 2n ** 256n - 1n;

/** `type(uint64).max` = 2^64 − 1: the largest expiry or deadline (Unix seconds); a licence expiring then is perpetual. */
export const UINT64_MAX = 2n ** 64n - 1n;
