/**
 * The on-chain side: compiles snarkjs's `Groth16Verifier` (and `ZkCheck` of {@link zkCheckSource}, a caller that requires a
 * valid proof) with solc-js, offline. snarkjs's `verifyProof` returns `false` for an invalid proof instead of
 * reverting: a contract that relies on it must `require` the result.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A compiled contract: its ABI and creation bytecode. */
export type CompiledContract = { abi: unknown[]; bytecode: `0x${string}` };

/**
 * A minimal consumer of the verifier for `publicSignals` signals: `check` reverts with `InvalidProof()` unless the
 * proof verifies, and counts the verified proofs (a state change, so that its gas is that of a real transaction).
 */
export function zkCheckSource(publicSignals: number): string {
  return `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IGroth16Verifier {
    function verifyProof(uint[2] calldata a, uint[2][2] calldata b, uint[2] calldata c, uint[${publicSignals}] calldata input) external view returns (bool);
}

contract ZkCheck {
    error InvalidProof();
    IGroth16Verifier public immutable verifier;
    uint256 public verified;

    constructor(IGroth16Verifier verifier_) {
        verifier = verifier_;
    }

    function check(uint[2] calldata a, uint[2][2] calldata b, uint[2] calldata c, uint[${publicSignals}] calldata input) external {
        if (!verifier.verifyProof(a, b, c, input)) revert InvalidProof();
        verified += 1;
    }
}
`;
}

/**
 * Compiles Solidity sources with solc-js (the `solc` package; optimizer on, 200 runs, EVM cancun).
 * @param sources - File name → source.
 * @returns Contract name → ABI and bytecode.
 * @throws {Error} With solc's messages when compilation has errors.
 */
export function compileSolidity(sources: Record<string, string>): Record<string, CompiledContract> {
  const solc = require('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const out: Record<string, CompiledContract> = {};
  for (const file of Object.values(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(file)) out[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  }
  return out;
}

/**
 * Compiles a generated verifier (from `setupCircuit`) and its {@link zkCheckSource} caller.
 * @returns `Groth16Verifier` and `ZkCheck`.
 * @throws {Error} When solc fails.
 */
export function compileVerifier(
  verifierSource: string,
  publicSignals: number,
): { verifier: CompiledContract; check: CompiledContract } {
  const out = compileSolidity({ 'Groth16Verifier.sol': verifierSource, 'ZkCheck.sol': zkCheckSource(publicSignals) });
  const verifier = out.Groth16Verifier;
  const check = out.ZkCheck;
  if (!verifier || !check) throw new Error('solc produced no Groth16Verifier or ZkCheck');
  return { verifier, check };
}
