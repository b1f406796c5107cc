/**
 * Compiles a generated circuit and runs the Groth16 setup: circom 2 (the `circom2` WebAssembly build, run as a
 * child process of this Node) → r1cs + witness wasm; a powers of tau; `zKey.newZKey` + one contribution (+ an
 * optional beacon); the verification key and the Solidity verifier (snarkjs's Groth16 template).
 *
 * Setup honesty: {@link devPowersOfTau} makes a single-party powers of tau on this machine. Whoever ran it knows
 * its toxic waste and can forge proofs. It is for development and tests only. In production pass `ptauFile`, the
 * output of a public multi-party ceremony (a prepared `.ptau`, e.g. of the Hermez/Perpetual Powers of Tau, at a
 * power ≥ the circuit's). The phase-2 contribution made here is single-party too: the published zkey should be
 * re-contributed by independent parties before it guards value.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import * as snarkjs from 'snarkjs';
import type { GeneratedCircuit } from './circuit.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Largest power of tau {@link devPowersOfTau} makes (2^16 constraints; it takes long past 2^13 here). */
export const MAX_DEV_POWER = 16;

/** A setup step that failed. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

/** Where a powers of tau comes from. */
export type PtauSource = { kind: 'development' | 'ceremony'; path: string; power: number };

/** Artefacts of {@link setupCircuit}, all files under `dir`. */
export type ZkArtifacts = {
  /** The circuit's hash ({@link GeneratedCircuit.hash}); the artefacts are made for it and nothing else. */
  circuitHash: string;
  dir: string;
  circuitPath: string;
  r1csPath: string;
  /** The witness generator. */
  wasmPath: string;
  /** The final proving key. */
  zkeyPath: string;
  /** The verification key (snarkjs JSON). */
  verificationKey: Record<string, unknown>;
  /** Solidity source of the `Groth16Verifier` contract. */
  verifierSource: string;
  /** R1CS constraints. */
  constraints: number;
  /** Public signals (outputs + public inputs). */
  publicSignals: number;
  /** Powers of tau used. */
  ptau: PtauSource;
  /** Wall-clock milliseconds of each step. */
  timings: { compileMs: number; ptauMs: number; zkeyMs: number };
};

/** Options of {@link setupCircuit}. */
export type SetupOptions = {
  /** Directory for the artefacts: they go to `workDir/<circuitHash>/`, made anew each call. */
  workDir: string;
  /** Directory of cached development powers of tau (used when `ptauFile` is not given). */
  ptauCacheDir?: string | undefined;
  /** A prepared `.ptau` of a multi-party ceremony, by path. Takes precedence over the development one. */
  ptauFile?: string | undefined;
  /**
   * A final beacon contribution after the phase-2 contribution: `hash` (hex) should be public randomness fixed after
   * the contribution (e.g. a future block hash), `iterationsExp` the beacon's 2^n hash iterations (10 is quick).
   * Without it the zkey has the one random contribution of this machine.
   */
  beacon?: { hash: string; iterationsExp: number } | undefined;
  /** Progress lines. */
  log?: ((line: string) => void) | undefined;
};

/** The `node_modules` directory holding circomlib (circom's `-l` include root). */
export function circomlibRoot(): string {
  return path.dirname(path.dirname(require.resolve('circomlib/package.json')));
}

/** The power of tau a circuit needs, as snarkjs computes it: `2^power > constraints + public signals`. */
export function requiredPower(constraints: number, publicSignals: number): number {
  return (constraints + publicSignals).toString(2).length;
}

/**
 * Compiles circom source to r1cs and the witness wasm with circom2 (`-l` = circomlib's `node_modules`).
 * @param source - circom 2 source with a `main` component.
 * @param dir - Output directory (made if missing); the source is written as `circuit.circom`.
 * @returns The paths written.
 * @throws {SetupError} With circom's output when compilation fails.
 */
export async function compileCircuit(
  source: string,
  dir: string,
): Promise<{ circuitPath: string; r1csPath: string; wasmPath: string }> {
  await mkdir(dir, { recursive: true });
  const circuitPath = path.join(dir, 'circuit.circom');
  await writeFile(circuitPath, source);
  const cli = path.join(path.dirname(require.resolve('circom2/package.json')), 'cli.js');
  try {
    // circom2's WASI file system resolves an include root given relative to its working directory (an absolute
    // `-l` is not found), so it runs beside that `node_modules`. `--O2`: linear constraints are substituted away.
    const root = circomlibRoot();
    const args = [cli, circuitPath, '--r1cs', '--wasm', '--O2', '-o', dir, '-l', path.basename(root)];
    await run(process.execPath, args, { cwd: path.dirname(root), maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new SetupError(`circom failed: ${e.stderr || e.stdout || e.message}`);
  }
  const r1csPath = path.join(dir, 'circuit.r1cs');
  const wasmPath = path.join(dir, 'circuit_js', 'circuit.wasm');
  if (!existsSync(r1csPath) || !existsSync(wasmPath)) throw new SetupError('circom wrote no r1cs or wasm');
  return { circuitPath, r1csPath, wasmPath };
}

/**
 * A single-party DEVELOPMENT powers of tau of 2^`power` (BN254), prepared for phase 2, cached as
 * `cacheDir/souk-dev-pot<power>.ptau` and made only when missing (written to a temporary file, then renamed). A
 * cached one of a larger power serves too. Never use it in production: see the module comment.
 * @param power - 1…{@link MAX_DEV_POWER}.
 * @returns The file and its power.
 * @throws {RangeError} On a power outside 1…16.
 */
export async function devPowersOfTau(
  cacheDir: string,
  power: number,
  log?: (line: string) => void,
): Promise<PtauSource> {
  if (!Number.isInteger(power) || power < 1 || power > MAX_DEV_POWER) throw new RangeError(`power ${power}`);
  await mkdir(cacheDir, { recursive: true });
  const cached = readdirSync(cacheDir)
    .map((f) => /^souk-dev-pot(\d+)\.ptau$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((p) => p >= power)
    .sort((a, b) => a - b)[0];
  if (cached !== undefined) {
    return { kind: 'development', path: path.join(cacheDir, `souk-dev-pot${cached}.ptau`), power: cached };
  }
  const file = path.join(cacheDir, `souk-dev-pot${power}.ptau`);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  log?.(`making a development powers of tau 2^${power} (single party, NOT for production)`);
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  try {
    await snarkjs.powersOfTau.newAccumulator(curve, power, `${tmp}.0`);
    await snarkjs.powersOfTau.contribute(`${tmp}.0`, `${tmp}.1`, 'souk development', randomBytes(32).toString('hex'));
    await snarkjs.powersOfTau.preparePhase2(`${tmp}.1`, tmp);
    await rename(tmp, file);
  } finally {
    await Promise.all([rm(`${tmp}.0`, { force: true }), rm(`${tmp}.1`, { force: true }), rm(tmp, { force: true })]);
  }
  return { kind: 'development', path: file, power };
}

/**
 * The power of a `.ptau` file, read from its header section (binfile `ptau`: magic, version, section count, then
 * sections `type u32, size u64, data`; section 1 holds `n8 u32, q (n8 bytes), power u32, ceremonyPower u32`).
 * @throws {SetupError} When the file is not a ptau or has no header section.
 */
export async function ptauPower(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    if (head.toString('latin1', 0, 4) !== 'ptau') throw new SetupError(`${file} is not a powers of tau file`);
    let pos = 12;
    for (let i = 0; i < head.readUInt32LE(8); i++) {
      const section = Buffer.alloc(12);
      await handle.read(section, 0, 12, pos);
      const type = section.readUInt32LE(0);
      const size = Number(section.readBigUInt64LE(4));
      if (type === 1) {
        const data = Buffer.alloc(size);
        await handle.read(data, 0, size, pos + 12);
        return data.readUInt32LE(4 + data.readUInt32LE(0));
      }
      pos += 12 + size;
    }
    throw new SetupError(`${file} has no header section`);
  } finally {
    await handle.close();
  }
}

/** snarkjs's Groth16 Solidity template. */
async function groth16Template(): Promise<string> {
  const root = path.dirname(path.dirname(require.resolve('snarkjs')));
  return readFile(path.join(root, 'templates', 'verifier_groth16.sol.ejs'), 'utf8');
}

/**
 * Compiles a generated circuit and runs the Groth16 setup for it.
 * @returns The artefacts, under `workDir/<circuit hash>/` (removed and made anew: keys are never reused).
 * @throws {SetupError} When circom fails, the powers of tau is too small or not prepared, or snarkjs fails.
 * @throws {RangeError} When the circuit needs a development powers of tau past {@link MAX_DEV_POWER}.
 */
export async function setupCircuit(circuit: GeneratedCircuit, options: SetupOptions): Promise<ZkArtifacts> {
  const { workDir, log } = options;
  const dir = path.join(workDir, circuit.hash);
  await rm(dir, { recursive: true, force: true });
  let t = performance.now();
  const compiled = await compileCircuit(circuit.source, dir);
  const info = await snarkjs.r1cs.info(compiled.r1csPath);
  const constraints = Number(info.nConstraints);
  const publicSignals = Number(info.nOutputs) + Number(info.nPubInputs);
  if (publicSignals !== circuit.publicSignals.length) {
    throw new SetupError(
      `the r1cs has ${publicSignals} public signals, the circuit names ${circuit.publicSignals.length}`,
    );
  }
  const compileMs = performance.now() - t;
  log?.(`compiled: ${constraints} constraints, ${publicSignals} public signals (${compileMs.toFixed(0)} ms)`);

  t = performance.now();
  const power = requiredPower(constraints, publicSignals);
  let ptau: PtauSource;
  if (options.ptauFile) {
    if (!existsSync(options.ptauFile)) throw new SetupError(`no powers of tau at ${options.ptauFile}`);
    ptau = { kind: 'ceremony', path: options.ptauFile, power: await ptauPower(options.ptauFile) };
    if (ptau.power < power) {
      throw new SetupError(`circuit too big for the powers of tau ${ptau.path}: 2^${ptau.power} < needed 2^${power}`);
    }
  } else {
    if (!options.ptauCacheDir) throw new SetupError('give ptauFile (a ceremony) or ptauCacheDir (development)');
    ptau = await devPowersOfTau(options.ptauCacheDir, Math.max(power, 4), log);
  }
  const ptauMs = performance.now() - t;

  t = performance.now();
  const zkey0 = path.join(dir, 'circuit_0.zkey');
  const zkey1 = path.join(dir, 'circuit_1.zkey');
  const zkeyPath = path.join(dir, 'circuit.zkey');
  const errors: string[] = [];
  const logger = {
    info: () => {},
    debug: () => {},
    warn: () => {},
    error: (...a: unknown[]) => errors.push(a.join(' ')),
  };
  const created = await snarkjs.zKey.newZKey(compiled.r1csPath, ptau.path, zkey0, logger);
  if (created === -1 || errors.length > 0) {
    throw new SetupError(`Groth16 setup refused the powers of tau ${ptau.path}: ${errors.join('; ') || 'unknown'}`);
  }
  if (options.beacon) {
    await snarkjs.zKey.contribute(zkey0, zkey1, 'souk phase 2', randomBytes(32).toString('hex'));
    const { hash, iterationsExp } = options.beacon;
    await snarkjs.zKey.beacon(zkey1, zkeyPath, 'souk beacon', hash, iterationsExp);
    await Promise.all([rm(zkey0), rm(zkey1)]);
  } else {
    await snarkjs.zKey.contribute(zkey0, zkeyPath, 'souk phase 2', randomBytes(32).toString('hex'));
    await rm(zkey0);
  }
  const verificationKey = await snarkjs.zKey.exportVerificationKey(zkeyPath);
  const verifierSource = await snarkjs.zKey.exportSolidityVerifier(zkeyPath, { groth16: await groth16Template() });
  const zkeyMs = performance.now() - t;
  log?.(`Groth16 setup done (${zkeyMs.toFixed(0)} ms)`);
  await writeFile(path.join(dir, 'verification_key.json'), JSON.stringify(verificationKey, null, 2));
  await writeFile(path.join(dir, 'Groth16Verifier.sol'), verifierSource);
  const artifacts: ZkArtifacts = {
    circuitHash: circuit.hash,
    dir,
    ...compiled,
    zkeyPath,
    verificationKey,
    verifierSource,
    constraints,
    publicSignals,
    ptau,
    timings: { compileMs, ptauMs, zkeyMs },
  };
  await writeFile(
    path.join(dir, 'manifest.json'),
    JSON.stringify(
      { circuitHash: circuit.hash, constraints, publicSignals, ptau, publicSignalNames: circuit.publicSignals },
      null,
      2,
    ),
  );
  return artifacts;
}

/** Ends the worker threads of snarkjs's BN254 curve (call when done proving, or the process stays alive). */
export async function releaseCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await g.curve_bn128?.terminate();
  g.curve_bn128 = null;
}

/**
 * Installs a single-threaded BN254 curve as the one snarkjs reuses for every later proof and verification. Call
 * it first in a `node:worker_threads` worker: there ffjavascript cannot start its own worker pool (its `web-worker`
 * import resolves to the worker side), so snarkjs's default multi-threaded curve fails with "Worker is not a
 * constructor". Idempotent; {@link releaseCurve} undoes it.
 */
export async function useSingleThreadCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: unknown };
  if (g.curve_bn128) return;
  g.curve_bn128 = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true });
}
