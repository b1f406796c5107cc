/**
 * `souk publish <path>`: uploads a file — or a folder, packed as a deterministic bundle — through the node (with a
 * progress bar), writes its manifest (pipeline, and the entry model's inputs and outputs read from its graph) and
 * mints the asset, or with `--version-of` publishes it as the next version of an asset; with `--price` opens licences
 * at that price, with `--list` also lists the asset itself for sale.
 */
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentNftAbi, soukTokenAbi } from '@souk/contracts/abis';
import { MAX_DERIVED_ROYALTY_BPS } from '@souk/protocol';
import {
  type AssetManifest,
  getAssetManifest,
  listAsset,
  type PublishAssetParameters,
  publishAsset,
  publishAssetVersion,
  setLicenceTerms,
} from '@souk/sdk';
import { type Address, type Hex, parseEventLogs, type TransactionReceipt, zeroAddress } from 'viem';
import { accountHelp, accountOptions, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseAmount, parseDuration, parseRoyalty } from '../args.ts';
import { assertRunnableBundle, BUNDLE_LAYOUTS, buildFolderBundle, entryModel, inferPipeline } from '../bundle.ts';
import { emit, guard, note } from '../command.ts';
import { type Context, connect, currencyAddress, rpcHelp, rpcOptions, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount, formatBytes, formatDuration } from '../format.ts';
import { signMint } from '../mint.ts';
import { isTarHeader, type OnnxSignature, readOnnxSignature } from '../onnx.ts';
import { sendTransactions, settle } from '../transact.ts';
import { createProgress, uploadFile } from '../upload.ts';

export const summary = 'Upload a file, publish it as a model, agent or dataset, and optionally sell it';

const DEFAULT_TERMS = 'LicenseRef-Proprietary';

export const help = `Usage: souk publish <path> --kind model|agent|dataset --name <name> [options]
       souk publish <path> --version-of <assetId> [options]

Uploads <path> through the node (streamed, encrypted with a fresh asset key unless --public), writes the asset's
manifest and mints it. <path> is a file, a bundle (a tar, e.g. from souk bundle) or a folder, which is packed into
a bundle first exactly as souk bundle packs it (same files, same bytes, same SHA-256).
The pipeline is --pipeline, else inferred for a model: onnx for a .onnx file or a bundle with model.onnx, ocr for
a bundle with detection.onnx, recognition.onnx and dictionary.txt. A pipeline's files are checked and its entry
model (onnx: the model; ocr: detection.onnx; another pipeline: --entry or the only .onnx file) is loaded with
onnxruntime: its input and output tensors (names, element types, shapes) go into the manifest. Anything a
provider could not run is refused before anything is uploaded. With --price, licences are sold at that price
(the terms are set on-chain); with --list, the asset itself is listed for sale too. With --version-of, the file
becomes the next version of an asset you own (AgentNFT.publishVersion, same id, same licences): name, kind,
description, runtime, licence terms and royalty default to the current version's manifest. Prints the asset id,
the manifest CID and the transaction hashes.

Options:
  --kind <kind>         model, agent or dataset (required, unless --version-of)
  --name <name>         Display name, 1..200 characters (required, unless --version-of)
  --version-of <assetId>
                        Publish a new version of this asset instead of minting a new one
  --description <text>  Short plain-text description
  --price <amount>      Licence price, in whole units of --currency (0.5) or in base units (1000wei)
  --training-price <amount>
                        Also sell training licences at this price (written as --price): the right to order
                        training and evaluation jobs on the asset (a dataset) without receiving its plaintext
  --derived-royalty <royalty>
                        Lineage royalty this asset claims of every model trained from it (a recipe) or on it (a
                        dataset): 10% or 1000bps of the derived model's creator earnings, at most 25%
  --currency <c>        eth, musd, souk or an ERC-20 address  [default: eth]
  --royalty <royalty>   Royalty on resales, 5% or 500bps, at most 10%  [default: 0%]
  --licence-terms <terms>
                        Licence: an SPDX id (Apache-2.0, MIT…) or text  [default: ${DEFAULT_TERMS}]
  --licence-duration <time>
                        How long a licence lasts: seconds, or 90m, 12h, 30d, 2w; needs a price  [default: perpetual]
  --pipeline <name>     Pre/post-processing a provider applies, e.g. onnx, ocr (models and agents)
                        [default: inferred from the file name or the bundle's files, see above]
  --entry <file>        The bundle file whose inputs and outputs the manifest records
                        [default: the pipeline's entry model, else the only .onnx file]
  --engine <name>       Inference engine, with --pipeline  [default: onnxruntime]
  --verification <class>
                        How providers' runs must agree: exact (same result bytes) or tolerance (float outputs
                        within --atol/--rtol); needs a pipeline  [default: exact, or the current version's]
  --atol <n>            Absolute tolerance, a number >= 0, with --verification tolerance  [default: 0]
  --rtol <n>            Relative tolerance, 0..1, with --verification tolerance  [default: 0]
  --public              Store the content unencrypted: anyone can download it
  --list                Also list the asset for sale, at --list-price or else --price
  --list-price <amount> Sale price of the asset, written as --price
${accountHelp}
${rpcHelp}
${nodeHelp}

Examples:
  souk publish ./model.onnx --kind model --name "My classifier" --price 0.01 --royalty 5%
  souk publish ./ocr/ --kind model --name "PaddleOCR small" --price 0.01
  souk publish ./model-v2.onnx --version-of 7
  souk publish ./model.onnx --kind model --name detector --verification tolerance --atol 1e-5 --rtol 1e-4
  souk publish ./agent.tgz --kind agent --name helper --price 10 --currency musd --licence-duration 30d --list`;

const options = {
  ...nodeOptions,
  ...accountOptions,
  ...rpcOptions,
  kind: { type: 'string' },
  'version-of': { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  price: { type: 'string' },
  'training-price': { type: 'string' },
  'derived-royalty': { type: 'string' },
  currency: { type: 'string' },
  royalty: { type: 'string' },
  'licence-terms': { type: 'string' },
  'licence-duration': { type: 'string' },
  pipeline: { type: 'string' },
  engine: { type: 'string' },
  entry: { type: 'string' },
  verification: { type: 'string' },
  atol: { type: 'string' },
  rtol: { type: 'string' },
  public: { type: 'boolean' },
  list: { type: 'boolean' },
  'list-price': { type: 'string' },
} as const;

const KINDS = ['model', 'agent', 'dataset'] as const;

/** A manifest's `runtime.verification` (docs/manifest.md#runtimeverification). */
type Verification = NonNullable<NonNullable<PublishAssetParameters['runtime']>['verification']>;

/** Largest `rtol` the node's manifest schema accepts: a fraction, 1 = 100 % (docs/manifest.md). */
const MAX_RTOL = 1;

/**
 * A tolerance flag's value: a finite decimal number (`0.001`, `1e-5`), at least 0 and at most `max`.
 * @param text - The flag's text.
 * @param flag - `--atol` or `--rtol`, for the error.
 * @param max - Largest value allowed.
 * @throws {UsageError} on anything else (`NaN`, `Infinity`, `1e999`, `-1`, `1e-5x`, `0x10`, an empty string).
 */
function parseTolerance(text: string, flag: string, max = Number.POSITIVE_INFINITY): number {
  // Number('') and Number(' ') are 0, Number('0x10') is 16: only plain decimal notation is a tolerance.
  const value = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(`${flag}: "${text}" is not a finite number; write e.g. 0.001 or 1e-5.`);
  }
  if (value < 0) throw new UsageError(`${flag}: ${text} is negative; a tolerance is at least 0.`);
  if (value > max) throw new UsageError(`${flag}: ${text} is above ${max} (a fraction: 1 = 100 %).`);
  return value;
}

/**
 * The manifest's `runtime.verification` from `--verification`, `--atol` and `--rtol`; `undefined` when none is given.
 * `exact` takes no tolerances; `tolerance` needs at least one of them above 0 (an unset one is 0), since with both 0
 * it would accept only equal floats, which is `exact` under another name.
 * @throws {UsageError} on an unknown class, a tolerance that is not a finite number ≥ 0 (`rtol` ≤ 1), tolerances
 *   without `--verification tolerance`, or `tolerance` with both at 0.
 */
function parseVerification(flags: {
  verification?: string | undefined;
  atol?: string | undefined;
  rtol?: string | undefined;
}): Verification | undefined {
  const { verification, atol, rtol } = flags;
  if (verification === undefined) {
    if (atol !== undefined || rtol !== undefined) {
      throw new UsageError('--atol and --rtol go with --verification tolerance.');
    }
    return undefined;
  }
  if (verification === 'exact') {
    if (atol !== undefined || rtol !== undefined) {
      throw new UsageError('--verification exact takes no --atol or --rtol: results must be the same bytes.');
    }
    return { class: 'exact' };
  }
  if (verification !== 'tolerance') {
    throw new UsageError(`--verification: "${verification}" is not a class; write exact or tolerance.`);
  }
  const spec = {
    class: 'tolerance' as const,
    atol: atol === undefined ? 0 : parseTolerance(atol, '--atol'),
    rtol: rtol === undefined ? 0 : parseTolerance(rtol, '--rtol', MAX_RTOL),
  };
  if (spec.atol === 0 && spec.rtol === 0) {
    throw new UsageError(
      '--verification tolerance needs --atol or --rtol above 0 (e.g. --atol 1e-5 --rtol 1e-4); ' +
        'for identical results use --verification exact.',
    );
  }
  return spec;
}

/** The decimals of `currency`: known tokens from the context, others read from the chain (undefined if unreadable). */
async function decimalsOf(context: Context, currency: Address): Promise<number | undefined> {
  const known = context.token(currency).decimals;
  if (known !== undefined) return known;
  return context.publicClient
    .readContract({ address: currency, abi: soukTokenAbi, functionName: 'decimals' })
    .catch(() => undefined);
}

/** Whether the file at `path` is a tar bundle (several files) rather than a bare model. */
async function isBundle(path: string): Promise<boolean> {
  const file = await open(path);
  try {
    const head = new Uint8Array(512);
    const { bytesRead } = await file.read(head, 0, 512, 0);
    return isTarHeader(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/**
 * The model's inputs and outputs, read with onnxruntime.
 * @param model - A file path, or the bytes of a bundle's entry model.
 * @param label - How to name the model in the error (its path, or `<bundle>/<file>`).
 * @throws {UsageError} when onnxruntime cannot load the file: a provider could not run it either.
 */
async function signatureOf(model: string | Uint8Array, label: string): Promise<OnnxSignature> {
  try {
    return await readOnnxSignature(model);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new UsageError(`<path>: ${label} is not an ONNX model onnxruntime can load (${reason}).`);
  }
}

/** What is uploaded, and what the manifest says about how to run it. */
type PreparedContent = {
  /**
   * Calls `send` with the file to upload: `path`, or the folder's bundle in a temporary file that is removed after.
   */
  withFile: <T>(send: (file: string) => Promise<T>) => Promise<T>;
  /** `runtime.pipeline`, if any. */
  pipeline: string | undefined;
  /** The entry model's tensors, when the pipeline has one. */
  signature: OnnxSignature | undefined;
  /** A bundle's files (sorted, sizes in bytes) and entry model; `null` for a bare file. */
  bundle: { files: Array<{ name: string; size: number }>; entry: string | null } | null;
};

/**
 * Resolves the content to upload and its pipeline and signature, refusing before the upload what providers could
 * not run: a pipeline they do not have, a bundle without its pipeline's files, an entry model onnxruntime cannot
 * load, or a single file for a pipeline that reads several.
 * @param parameters - The path and whether it is a folder; the kind (pipelines are inferred for models only); the
 *   `--pipeline` and `--entry` flags; the current version's pipeline (for `--version-of`).
 * @throws {UsageError} Naming what is wrong.
 */
async function prepareContent({
  path,
  folder,
  kind,
  pipelineFlag,
  inherited,
  entry,
}: {
  path: string;
  folder: boolean;
  kind: string;
  pipelineFlag: string | undefined;
  inherited: string | undefined;
  entry: string | undefined;
}): Promise<PreparedContent> {
  const infer = kind === 'model';
  const asIs = <T>(send: (file: string) => Promise<T>) => send(path);
  if (folder) {
    const built = await buildFolderBundle({ dir: path, pipeline: pipelineFlag, infer, entry });
    const names = built.files.map((f) => f.name);
    let { pipeline, entry: entryName } = built;
    if (pipeline === undefined && inherited !== undefined) {
      await assertRunnableBundle(inherited, names);
      pipeline = inherited;
      entryName = entryModel(inherited, names, entry);
    }
    const signature =
      pipeline !== undefined && entryName !== undefined
        ? await signatureOf(built.contents[entryName], `${path}/${entryName}`)
        : undefined;
    const { bytes } = built; // only the archive is kept until the upload, not the files as well
    const withFile = async <T>(send: (file: string) => Promise<T>): Promise<T> => {
      const dir = await mkdtemp(join(tmpdir(), 'souk-bundle-'));
      try {
        await writeFile(join(dir, 'bundle.tar'), bytes);
        return await send(join(dir, 'bundle.tar'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    return {
      withFile,
      pipeline,
      signature,
      bundle: { files: built.files, entry: entryName ?? null },
    };
  }
  // A tar is read (into memory) only when it may run: a dataset's or an agent's archive without a pipeline is content.
  const mayRun = infer || pipelineFlag !== undefined || inherited !== undefined;
  if (mayRun && (await isBundle(path))) {
    const { unpackBundle } = await import('@souk/provider/bundle');
    let files: Record<string, Uint8Array>;
    try {
      files = unpackBundle(new Uint8Array(await readFile(path)));
    } catch (error) {
      throw new UsageError(`<path>: ${path} is not a readable bundle (${(error as Error).message}).`);
    }
    const names = Object.keys(files).sort();
    const pipeline = pipelineFlag ?? (infer ? inferPipeline(names) : undefined) ?? inherited;
    if (pipeline !== undefined) await assertRunnableBundle(pipeline, names);
    const entryName = pipeline === undefined ? undefined : entryModel(pipeline, names, entry);
    const signature = entryName === undefined ? undefined : await signatureOf(files[entryName], `${path}/${entryName}`);
    return {
      withFile: asIs,
      pipeline,
      signature,
      bundle: { files: names.map((name) => ({ name, size: files[name].length })), entry: entryName ?? null },
    };
  }
  if (entry !== undefined) throw new UsageError('--entry goes with a bundle (a folder or a tar file).');
  // A bare .onnx model runs in the generic onnx pipeline; without it the asset would name no pipeline at all.
  const pipeline = pipelineFlag ?? (infer && path.toLowerCase().endsWith('.onnx') ? 'onnx' : inherited);
  const layout = pipeline === undefined ? undefined : BUNDLE_LAYOUTS[pipeline];
  if (pipeline !== undefined && layout && layout.required.length > 1) {
    throw new UsageError(
      `<path>: ${path} is one file, but the ${pipeline} pipeline reads a bundle of ${layout.required.join(', ')}: ` +
        'put them in a folder and publish the folder (or pack it with souk bundle).',
    );
  }
  if (pipeline !== undefined) await assertRunnableBundle(pipeline, ['model.onnx']);
  return {
    withFile: asIs,
    pipeline,
    // The model itself is the entry: always for onnx, and for another pipeline when the file is an .onnx model.
    signature:
      pipeline === 'onnx' || (pipeline !== undefined && path.toLowerCase().endsWith('.onnx'))
        ? await signatureOf(path, path)
        : undefined,
    bundle: null,
  };
}

/** `x float32[batch,3,48,192]` */
function formatTensor(spec: { name: string; dtype: string; shape: Array<number | string> }): string {
  return `${spec.name} ${spec.dtype}[${spec.shape.join(',')}]`;
}

export function run(argv: string[]): Promise<number> {
  return guard('publish', async () => {
    const { values: flags, positionals } = parse(argv, options, { positionals: 1, required: 1, names: ['<path>'] });
    const [path] = positionals;
    const versionText = flags['version-of'];
    if (versionText !== undefined && !/^\d{1,78}$/.test(versionText)) {
      throw new UsageError(`--version-of: "${versionText}" is not an asset id (a decimal number).`);
    }
    const versionOf = versionText === undefined ? undefined : BigInt(versionText);
    const kindFlag = flags.kind as (typeof KINDS)[number] | undefined;
    if (kindFlag !== undefined ? !KINDS.includes(kindFlag) : versionOf === undefined) {
      throw new UsageError('--kind must be model, agent or dataset.');
    }
    if (flags.name !== undefined ? flags.name.length === 0 || flags.name.length > 200 : versionOf === undefined) {
      throw new UsageError('--name is required (1..200 characters).');
    }
    const royaltyFlag = flags.royalty === undefined ? undefined : parseRoyalty(flags.royalty);
    const derivedRoyaltyBps =
      flags['derived-royalty'] === undefined
        ? undefined
        : parseRoyalty(flags['derived-royalty'], { flag: '--derived-royalty', maxBps: MAX_DERIVED_ROYALTY_BPS });
    const durationSeconds =
      flags['licence-duration'] === undefined ? undefined : parseDuration(flags['licence-duration']);
    const listPriceText = flags['list-price'] ?? flags.price;
    if (flags.list && listPriceText === undefined) throw new UsageError('--list needs --price or --list-price.');
    if (flags['list-price'] !== undefined && !flags.list) throw new UsageError('--list-price goes with --list.');
    if (flags.currency !== undefined && listPriceText === undefined && flags['training-price'] === undefined) {
      throw new UsageError('--currency goes with --price, --training-price or --list-price.');
    }
    if (durationSeconds !== undefined && flags.price === undefined && flags['training-price'] === undefined) {
      throw new UsageError(
        '--licence-duration goes with --price or --training-price (licences are sold only at a price).',
      );
    }
    if (flags.engine !== undefined && flags.pipeline === undefined)
      throw new UsageError('--engine goes with --pipeline.');
    const verificationFlag = parseVerification(flags);
    const entity = await stat(path).then(
      (s) => (s.isFile() ? 'file' : s.isDirectory() ? 'folder' : undefined),
      () => undefined,
    );
    if (!entity) throw new UsageError(`<path>: ${path} is not a readable file or folder.`);

    const context = await connect({ url: nodeUrl(flags.node), rpcUrl: flags['rpc-url'] });
    // A new version inherits what the flags do not say from the current version (404 for an unknown asset).
    const current: AssetManifest | undefined =
      versionOf === undefined ? undefined : await getAssetManifest(context.client, { assetId: versionOf });
    const kind = (kindFlag ?? current?.kind) as (typeof KINDS)[number];
    const name = (flags.name ?? current?.name) as string;
    const royaltyBps = royaltyFlag ?? current?.royaltyBps ?? 0;
    const description = flags.description ?? current?.description;
    const content = await prepareContent({
      path,
      folder: entity === 'folder',
      kind,
      pipelineFlag: flags.pipeline,
      inherited: current?.runtime?.pipeline,
      entry: flags.entry,
    });
    const { pipeline, signature } = content;
    if (kind === 'model' && pipeline === undefined) {
      note('no pipeline: providers cannot run this model (pass --pipeline, e.g. onnx for an ONNX model).');
    }
    const engine =
      flags.engine ?? (flags.pipeline === undefined ? current?.runtime?.engine : undefined) ?? 'onnxruntime';
    if (verificationFlag !== undefined && pipeline === undefined) {
      throw new UsageError('--verification needs a pipeline (--pipeline): only a model providers run is verified.');
    }
    // Like the engine, a new version keeps the current version's class unless the flags change the runtime.
    const inheritedVerification =
      flags.pipeline === undefined
        ? (current?.runtime as PublishAssetParameters['runtime'] | undefined)?.verification
        : undefined;
    const verification = verificationFlag ?? inheritedVerification;

    const currency = currencyAddress(context, flags.currency ?? 'eth');
    const decimals = await decimalsOf(context, currency);
    const price = flags.price === undefined ? undefined : parseAmount(flags.price, decimals, '--price');
    const trainingPrice =
      flags['training-price'] === undefined
        ? undefined
        : parseAmount(flags['training-price'], decimals, '--training-price');
    const listPrice = listPriceText === undefined ? undefined : parseAmount(listPriceText, decimals, '--list-price');
    if (flags.list && listPrice === 0n) throw new UsageError('A sale price must be more than zero.');
    const token = context.token(currency);
    const { account } = await resolveAccount({ flags, isDevnet: async () => context.info.devnet });
    await signInAs(context, account);
    if (versionOf !== undefined) {
      // Checked before the upload: the node would refuse the version only once the bytes were sent.
      const owner = await context.publicClient.readContract({
        address: context.info.contracts.agentNft,
        abi: agentNftAbi,
        functionName: 'ownerOf',
        args: [versionOf],
      });
      if (owner.toLowerCase() !== account.address.toLowerCase()) {
        throw new Error(
          `Asset ${versionOf} is owned by ${owner}, not ${account.address}: only its owner can publish a version.`,
        );
      }
    }

    const upload = await content.withFile((file) =>
      uploadFile(context.client, file, {
        encrypt: !flags.public,
        progress: (total) => createProgress(`uploading ${path}${entity === 'folder' ? ' (bundle)' : ''}`, total),
      }),
    );
    const license: PublishAssetParameters['license'] = {
      terms: flags['licence-terms'] ?? current?.license.terms ?? DEFAULT_TERMS,
    };
    if (price !== undefined) license.price = String(price);
    if (derivedRoyaltyBps !== undefined) license.derivedRoyaltyBps = derivedRoyaltyBps;
    if (price !== undefined && currency !== zeroAddress) license.currency = currency;
    if (durationSeconds !== undefined) license.durationSeconds = durationSeconds;
    const manifest: PublishAssetParameters = {
      uploadId: upload.uploadId,
      name,
      kind,
      ...(description !== undefined ? { description } : {}),
      ...(pipeline !== undefined
        ? { runtime: { engine, pipeline, ...(verification !== undefined ? { verification } : {}) } }
        : {}),
      ...(signature ?? {}),
      license,
      royaltyBps,
    };
    const published =
      versionOf === undefined
        ? await publishAsset(context.client, manifest)
        : await publishAssetVersion(context.client, { assetId: versionOf, ...manifest });
    let assetId = versionOf === undefined ? published.assetId : String(versionOf);
    let mintHash = versionOf === undefined ? (published.transactionHash as Hex | null) : null;
    let version = 0;
    let versionHash: Hex | null = null;
    if (versionOf !== undefined) {
      let receipt: TransactionReceipt;
      if (published.transaction) {
        note('signing the new version…');
        [receipt] = await sendTransactions(context, account, [published.transaction]);
      } else if (published.transactionHash) {
        receipt = await context.publicClient.waitForTransactionReceipt({ hash: published.transactionHash as Hex });
      } else throw new Error('The node neither published the version nor returned its transaction.');
      versionHash = receipt.transactionHash;
      const [event] = parseEventLogs({ abi: agentNftAbi, eventName: 'VersionPublished', logs: receipt.logs });
      if (!event) throw new Error(`The transaction ${versionHash} emitted no VersionPublished event.`);
      version = Number(event.args.version);
      note(`published version ${version} of asset #${assetId} (tx ${versionHash})`);
    } else if (assetId === null && published.transaction) {
      ({ assetId, mintTx: mintHash } = await signMint(context, account, published.transaction));
    }
    if (assetId === null) throw new Error('The node neither minted the asset nor returned its transaction.');
    const id = BigInt(assetId);
    if (versionOf === undefined) note(`minted asset #${assetId} (tx ${mintHash ?? 'unknown'})`);

    let licenceHashes: Hex[] = [];
    if (price !== undefined) {
      const terms = await setLicenceTerms(context.client, {
        assetId: id,
        price,
        ...(currency !== zeroAddress ? { currency } : {}),
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
      });
      licenceHashes = await settle(context, account, terms);
    }
    let trainingHashes: Hex[] = [];
    if (trainingPrice !== undefined) {
      const terms = await setLicenceTerms(context.client, {
        assetId: id,
        price: trainingPrice,
        usage: 'training',
        ...(currency !== zeroAddress ? { currency } : {}),
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
      });
      trainingHashes = await settle(context, account, terms);
    }
    let listHashes: Hex[] = [];
    if (flags.list && listPrice !== undefined) {
      const listed = await listAsset(context.client, {
        assetId: id,
        price: listPrice,
        ...(currency !== zeroAddress ? { currency } : {}),
      });
      listHashes = await settle(context, account, listed);
    }

    const result = {
      assetId,
      kind,
      name,
      version,
      manifestCid: published.manifestCid,
      manifestUri: published.manifestUri,
      pipeline: pipeline ?? null,
      verification: pipeline === undefined ? null : (verification ?? { class: 'exact' }),
      inputs: signature?.inputs ?? null,
      outputs: signature?.outputs ?? null,
      bundle: content.bundle,
      content: { cid: upload.contentCid, size: upload.size, sha256: upload.sha256, encrypted: upload.encrypted },
      licence:
        price === undefined
          ? null
          : { priceWei: String(price), currency, durationSeconds: durationSeconds ?? 0, terms: license.terms },
      trainingLicence:
        trainingPrice === undefined
          ? null
          : { priceWei: String(trainingPrice), currency, durationSeconds: durationSeconds ?? 0 },
      listing: flags.list && listPrice !== undefined ? { priceWei: String(listPrice), currency } : null,
      transactions: {
        mint: mintHash,
        version: versionHash,
        licenceTerms: licenceHashes,
        trainingTerms: trainingHashes,
        list: listHashes,
      },
    };
    emit(flags.json, result, () => {
      const lines = [
        versionOf === undefined
          ? `Published asset #${assetId} "${name}" (${kind})`
          : `Published version ${version} of asset #${assetId} "${name}" (${kind})`,
        `  manifest  ${published.manifestCid}`,
        `  content   ${upload.contentCid}  ${formatBytes(upload.size)}, ${upload.encrypted ? 'encrypted' : 'public'}`,
        versionOf === undefined ? `  mint tx   ${mintHash ?? '-'}` : `  version tx ${versionHash}`,
      ];
      if (pipeline !== undefined) lines.push(`  pipeline  ${pipeline}`);
      if (verification?.class === 'tolerance') {
        lines.push(`  verified  within atol ${verification.atol}, rtol ${verification.rtol}`);
      }
      if (content.bundle) {
        lines.push(`  bundle    ${content.bundle.files.map((f) => f.name).join(', ')}`);
        if (content.bundle.entry) lines.push(`  entry     ${content.bundle.entry}`);
      }
      for (const [label, specs] of [
        ['inputs', signature?.inputs],
        ['outputs', signature?.outputs],
      ] as const) {
        if (specs) lines.push(`  ${label.padEnd(9)} ${specs.map(formatTensor).join(', ')}`);
      }
      if (price !== undefined) {
        lines.push(`  licence   ${formatAmount(price, token)}, ${formatDuration(durationSeconds)}, ${license.terms}`);
        lines.push(`            tx ${licenceHashes.join(', ')}`);
      }
      if (derivedRoyaltyBps !== undefined) {
        lines.push(`  lineage   ${(derivedRoyaltyBps / 100).toFixed(2)} % of the creator earnings of derived models`);
      }
      if (trainingPrice !== undefined) {
        lines.push(`  training  ${formatAmount(trainingPrice, token)}, ${formatDuration(durationSeconds)}`);
        lines.push(`            tx ${trainingHashes.join(', ')}`);
      }
      if (listPrice !== undefined && flags.list) {
        lines.push(`  for sale  ${formatAmount(listPrice, token)}`, `            tx ${listHashes.join(', ')}`);
      }
      return lines.join('\n');
    });
    return 0;
  });
}
