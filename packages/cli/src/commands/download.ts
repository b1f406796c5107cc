/**
 * `souk download <assetId>`: the plaintext of an asset the account holds a licence to (or a public asset), fetched
 * through the node's gateway with a signed EIP-712 access request, streamed to a file with progress on stderr and
 * checked against the manifest's SHA-256 before it takes its name.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type AssetManifest, downloadAsset, getAsset, getAssetManifest, SoukApiError } from '@souk/sdk';
import type { LocalAccount } from 'viem';
import { accountHelp, accountOptions, resolveAccount } from '../account.ts';
import { nodeHelp, nodeOptions, nodeUrl, parse, parseId } from '../args.ts';
import { emit, guard, note } from '../command.ts';
import { type Context, connect } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatBytes } from '../format.ts';
import { createProgress } from '../upload.ts';

export const summary = 'Download the content of an asset you hold a licence to, checked against its SHA-256';

export const help = `Usage: souk download <assetId> [--output <file>] [options]

Downloads asset <assetId>'s content (decrypted by the node's gateway) for the account: it signs a single-use
EIP-712 access request, the node checks the licence on-chain and streams the plaintext. Progress goes to stderr
(a redrawn bar on a terminal). The bytes are written to <file>.part and renamed to <file> only when their size
and SHA-256 are the manifest's content.size and content.sha256; otherwise the partial file is removed and the
command fails. An account without a licence gets exit code 1 and the reason (with the souk buy command when
the asset sells licences).

Options:
  -o, --output <file>   Where to write; an existing file is kept unless --force
                        [default: the asset's name made safe as a file name in this directory, e.g. my-model.onnx]
  --force               Overwrite <file> if it exists
${accountHelp}
${nodeHelp}

Examples (on a fresh devnet, asset 1 is the sample OCR model, minted by dev account 0):
  souk download 1 --account 0                          # → ./PaddleOCR-PP-OCRv4-sample, checked
  souk download 1 --account 0 -o ocr.bundle --force`;

/** Longest default file name, in characters (many file systems allow 255 bytes). */
const MAX_NAME = 100;

/**
 * A file name for the content of an asset, from its manifest's name: only letters, digits, `.`, `_` and `-` (any
 * other run of characters becomes one `-`), no leading dot or dash (no hidden files, no option look-alikes), no
 * path separators, at most 100 characters; an ONNX model (pipeline `onnx`) gets `.onnx` when its name has no
 * extension. Falls back to `asset-<assetId>` when nothing is left.
 * @example safeFileName({ name: 'PaddleOCR (PP-OCRv4)', runtime: { engine: 'onnxruntime', pipeline: 'ocr' } }, 1n) // 'PaddleOCR-PP-OCRv4'
 * @example safeFileName({ name: '../../etc/passwd' }, 3n) // 'etc-passwd'
 */
export function safeFileName(manifest: Pick<AssetManifest, 'name' | 'runtime'>, assetId: bigint): string {
  let name = manifest.name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_NAME)
    .replace(/[.-]+$/, '');
  if (name === '') return `asset-${assetId}`;
  if (manifest.runtime?.pipeline === 'onnx' && !/\.[A-Za-z0-9]{1,8}$/.test(name)) name = `${name}.onnx`;
  return name;
}

/** Refuses to replace an existing file without --force. */
function ensureWritable(out: string, force: boolean | undefined): void {
  if (!force && existsSync(out)) {
    throw new Error(`${out} already exists; pass --force to overwrite it or --output to choose another file.`);
  }
}

/**
 * Why the node refused, for people: who lacks a licence and how to get one — `souk buy <id> --licence` when the
 * asset sells licences (open terms in the index), else that only its owner can read it.
 */
async function refusal(context: Context, error: unknown, assetId: bigint, account: LocalAccount): Promise<unknown> {
  if (!(error instanceof SoukApiError)) return error;
  const detail = error.problem.detail ?? error.problem.title;
  if (error.status === 403) {
    const asset = await getAsset(context.client, { assetId }).catch(() => undefined);
    const remedy = asset?.licence?.active
      ? `Buy one with 'souk buy ${assetId} --licence'.`
      : `The node's index shows no open licence terms for it: only its owner${asset ? ` ${asset.owner}` : ''} can read it.`;
    return new Error(
      `${account.address} holds no licence to asset #${assetId} (403 from the gateway: ${detail}). ${remedy}`,
    );
  }
  if (error.status === 404) {
    return new Error(`Asset #${assetId} does not exist (404: ${detail}).`);
  }
  if (error.status === 409) {
    return new Error(
      `The node has not indexed asset #${assetId}'s latest version yet (409: ${detail}); retry in a few seconds.`,
    );
  }
  return error;
}

/** The current manifest, or a readable error for an unknown asset. */
async function manifestOf(context: Context, assetId: bigint, account: LocalAccount): Promise<AssetManifest> {
  try {
    return await getAssetManifest(context.client, { assetId });
  } catch (error) {
    throw await refusal(context, error, assetId, account);
  }
}

export function run(argv: string[]): Promise<number> {
  return guard('download', async () => {
    const { values: flags, positionals } = parse(
      argv,
      { ...nodeOptions, ...accountOptions, output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
      { positionals: 1, required: 1, names: ['<assetId>'] },
    );
    const assetId = parseId(positionals[0], '<assetId>');
    if (flags.output === '') throw new UsageError('--output: give a file name.');
    // An explicit --output is checked before anything is signed or fetched.
    if (flags.output !== undefined) ensureWritable(flags.output, flags.force);

    const context = await connect({ url: nodeUrl(flags.node) });
    const { account } = await resolveAccount({ flags, isDevnet: async () => context.info.devnet });
    const manifest = await manifestOf(context, assetId, account);
    const out = flags.output ?? safeFileName(manifest, assetId);
    if (flags.output === undefined) ensureWritable(out, flags.force);
    const response = await downloadAsset(context.client, {
      assetId,
      ...(manifest.content.encryption === null
        ? {}
        : { account, chainId: context.info.chainId, licenses: context.info.contracts.licenses }),
    }).catch(async (error: unknown) => {
      throw await refusal(context, error, assetId, account);
    });
    if (!response.body) throw new Error(`The node sent no content for asset #${assetId}.`);

    const expected = manifest.content.size;
    const progress = createProgress(`downloading asset #${assetId}`, expected);
    const hash = createHash('sha256');
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.byteLength;
        hash.update(chunk);
        progress.update(received);
        done(null, chunk);
      },
    });
    const partial = `${out}.part`;
    try {
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
        counter,
        createWriteStream(partial),
      );
    } catch (error) {
      progress.done(false);
      await rm(partial, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== manifest.content.sha256 || received !== expected) {
      progress.done(false);
      await rm(partial, { force: true });
      throw new Error(
        `The content of asset #${assetId} does not match its manifest: got ${received} bytes with SHA-256 ${sha256}, the manifest says ${expected} bytes with ${manifest.content.sha256}. Nothing was kept.`,
      );
    }
    progress.done(true);
    try {
      ensureWritable(out, flags.force); // again: the file may have appeared during the download
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    await rename(partial, out);
    note(`SHA-256 ${sha256} matches the manifest`);
    emit(flags.json, { assetId: String(assetId), path: out, size: received, sha256, verified: true }, () =>
      [
        `Downloaded asset #${assetId} "${manifest.name}" to ${out}`,
        `  ${formatBytes(received)}, SHA-256 ${sha256} (verified)`,
      ].join('\n'),
    );
    return 0;
  });
}
