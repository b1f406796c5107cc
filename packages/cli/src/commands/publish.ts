/**
 * `souk publish <path>`: uploads a file through the node (with a progress bar), writes its manifest and mints the
 * asset; with `--price` opens licences at that price, with `--list` also lists the asset itself for sale.
 */
import { open, stat } from 'node:fs/promises';
import { agentNftAbi, soukTokenAbi } from '@souk/contracts/abis';
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
import { emit, guard, note } from '../command.ts';
import { type Context, connect, currencyAddress, rpcHelp, rpcOptions, signInAs } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatAmount, formatBytes, formatDuration } from '../format.ts';
import { isTarHeader, type OnnxSignature, readOnnxSignature } from '../onnx.ts';
import { sendTransactions, settle } from '../transact.ts';
import { createProgress, uploadFile } from '../upload.ts';

export const summary = 'Upload a file, publish it as a model, agent or dataset, and optionally sell it';

const DEFAULT_TERMS = 'LicenseRef-Proprietary';

export const help = `Usage: souk publish <path> --kind model|agent|dataset --name <name> [options]
       souk publish <path> --version-of <assetId> [options]

Uploads <path> through the node (streamed, encrypted with a fresh asset key unless --public), writes the asset's
manifest and mints it. A model in the onnx pipeline (the default for a .onnx file) is loaded with onnxruntime
first: its input and output tensors (names, element types, shapes) go into the manifest, and a file onnxruntime
cannot load is refused before anything is uploaded. With --price, licences are sold at that price (the terms are set on-chain); with --list,
the asset itself is listed for sale too. With --version-of, the file becomes the next version of an asset you own
(AgentNFT.publishVersion, same id, same licences): name, kind, description, runtime, licence terms and royalty
default to the current version's manifest. Prints the asset id, the manifest CID and the transaction hashes.

Options:
  --kind <kind>         model, agent or dataset (required, unless --version-of)
  --name <name>         Display name, 1..200 characters (required, unless --version-of)
  --version-of <assetId>
                        Publish a new version of this asset instead of minting a new one
  --description <text>  Short plain-text description
  --price <amount>      Licence price, in whole units of --currency (0.5) or in base units (1000wei)
  --currency <c>        eth, musd, souk or an ERC-20 address  [default: eth]
  --royalty <royalty>   Royalty on resales, 5% or 500bps, at most 10%  [default: 0%]
  --licence-terms <terms>
                        Licence: an SPDX id (Apache-2.0, MIT…) or text  [default: ${DEFAULT_TERMS}]
  --licence-duration <time>
                        How long a licence lasts: seconds, or 90m, 12h, 30d, 2w; needs --price  [default: perpetual]
  --pipeline <name>     Pre/post-processing a provider applies, e.g. ocr (models and agents)
                        [default: onnx for a model whose file ends in .onnx]
  --engine <name>       Inference engine, with --pipeline  [default: onnxruntime]
  --public              Store the content unencrypted: anyone can download it
  --list                Also list the asset for sale, at --list-price or else --price
  --list-price <amount> Sale price of the asset, written as --price
${accountHelp}
${rpcHelp}
${nodeHelp}

Examples:
  souk publish ./ocr.onnx --kind model --name "PaddleOCR small" --pipeline ocr --price 0.01 --royalty 5%
  souk publish ./ocr-v2.onnx --version-of 7
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
  currency: { type: 'string' },
  royalty: { type: 'string' },
  'licence-terms': { type: 'string' },
  'licence-duration': { type: 'string' },
  pipeline: { type: 'string' },
  engine: { type: 'string' },
  public: { type: 'boolean' },
  list: { type: 'boolean' },
  'list-price': { type: 'string' },
} as const;

const KINDS = ['model', 'agent', 'dataset'] as const;

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
 * @throws {UsageError} when onnxruntime cannot load the file: a provider could not run it either.
 */
async function signatureOf(path: string): Promise<OnnxSignature> {
  try {
    return await readOnnxSignature(path);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new UsageError(`<path>: ${path} is not an ONNX model onnxruntime can load (${reason}).`);
  }
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
    const durationSeconds =
      flags['licence-duration'] === undefined ? undefined : parseDuration(flags['licence-duration']);
    const listPriceText = flags['list-price'] ?? flags.price;
    if (flags.list && listPriceText === undefined) throw new UsageError('--list needs --price or --list-price.');
    if (flags['list-price'] !== undefined && !flags.list) throw new UsageError('--list-price goes with --list.');
    if (flags.currency !== undefined && listPriceText === undefined) {
      throw new UsageError('--currency goes with --price or --list-price.');
    }
    if (durationSeconds !== undefined && flags.price === undefined) {
      throw new UsageError('--licence-duration goes with --price (licences are sold only at a price).');
    }
    if (flags.engine !== undefined && flags.pipeline === undefined)
      throw new UsageError('--engine goes with --pipeline.');
    const isFile = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isFile) throw new UsageError(`<path>: ${path} is not a readable file.`);

    const context = await connect({ url: nodeUrl(flags.node), rpcUrl: flags['rpc-url'] });
    // A new version inherits what the flags do not say from the current version (404 for an unknown asset).
    const current: AssetManifest | undefined =
      versionOf === undefined ? undefined : await getAssetManifest(context.client, { assetId: versionOf });
    const kind = (kindFlag ?? current?.kind) as (typeof KINDS)[number];
    const name = (flags.name ?? current?.name) as string;
    const royaltyBps = royaltyFlag ?? current?.royaltyBps ?? 0;
    const description = flags.description ?? current?.description;
    // A bare .onnx model runs in the generic onnx pipeline; without it the asset would name no pipeline at all.
    const pipeline =
      flags.pipeline ??
      (kind === 'model' && path.toLowerCase().endsWith('.onnx') ? 'onnx' : current?.runtime?.pipeline);
    const engine =
      flags.engine ?? (flags.pipeline === undefined ? current?.runtime?.engine : undefined) ?? 'onnxruntime';
    const signature = pipeline === 'onnx' && !(await isBundle(path)) ? await signatureOf(path) : undefined;

    const currency = currencyAddress(context, flags.currency ?? 'eth');
    const decimals = await decimalsOf(context, currency);
    const price = flags.price === undefined ? undefined : parseAmount(flags.price, decimals, '--price');
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

    const upload = await uploadFile(context.client, path, {
      encrypt: !flags.public,
      progress: (total) => createProgress(`uploading ${path}`, total),
    });
    const license: PublishAssetParameters['license'] = {
      terms: flags['licence-terms'] ?? current?.license.terms ?? DEFAULT_TERMS,
    };
    if (price !== undefined) license.price = String(price);
    if (price !== undefined && currency !== zeroAddress) license.currency = currency;
    if (durationSeconds !== undefined) license.durationSeconds = durationSeconds;
    const manifest: PublishAssetParameters = {
      uploadId: upload.uploadId,
      name,
      kind,
      ...(description !== undefined ? { description } : {}),
      ...(pipeline !== undefined ? { runtime: { engine, pipeline } } : {}),
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
      note('signing the mint…');
      const [receipt] = await sendTransactions(context, account, [published.transaction]);
      mintHash = receipt.transactionHash;
      const [minted] = parseEventLogs({ abi: agentNftAbi, eventName: 'AssetMinted', logs: receipt.logs });
      if (!minted) throw new Error(`The mint ${mintHash} emitted no AssetMinted event.`);
      assetId = String(minted.args.tokenId);
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
      inputs: signature?.inputs ?? null,
      outputs: signature?.outputs ?? null,
      content: { cid: upload.contentCid, size: upload.size, sha256: upload.sha256, encrypted: upload.encrypted },
      licence:
        price === undefined
          ? null
          : { priceWei: String(price), currency, durationSeconds: durationSeconds ?? 0, terms: license.terms },
      listing: flags.list && listPrice !== undefined ? { priceWei: String(listPrice), currency } : null,
      transactions: { mint: mintHash, version: versionHash, licenceTerms: licenceHashes, list: listHashes },
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
      if (listPrice !== undefined && flags.list) {
        lines.push(`  for sale  ${formatAmount(listPrice, token)}`, `            tx ${listHashes.join(', ')}`);
      }
      return lines.join('\n');
    });
    return 0;
  });
}
