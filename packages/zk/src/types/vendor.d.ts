/** The parts of `snarkjs` and `circomlibjs` (JavaScript, no bundled types) that `@souk/zk` uses. */
declare module 'snarkjs' {
  /** A Groth16 proof as snarkjs writes it (decimal strings; projective coordinates). */
  export type Groth16Proof = {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  };
  type Logger = { info?: (...a: unknown[]) => void; debug?: (...a: unknown[]) => void } | undefined;
  type Curve = { terminate(): Promise<void> };
  export const curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<Curve> };
  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, fileName: string, logger?: Logger): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: Logger): Promise<unknown>;
  };
  export const r1cs: {
    info(
      fileName: string,
      logger?: Logger,
    ): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number }>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: string, logger?: Logger): Promise<Record<string, unknown>>;
    exportSolidityVerifier(zkey: string, templates: Record<string, string>, logger?: Logger): Promise<string>;
  };
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: string | Uint8Array,
      zkey: string | Uint8Array,
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: string[], proof: Groth16Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: string[]): Promise<string>;
  };
}

declare module 'circomlibjs' {
  type Poseidon = ((inputs: readonly bigint[]) => Uint8Array) & {
    F: { toObject(e: Uint8Array): bigint };
  };
  export function buildPoseidon(): Promise<Poseidon>;
}
