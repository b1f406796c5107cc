/**
 * Run a model on the compute market through compute protocol v2, the one compute path. The input control follows the
 * model's manifest (`inputKindOf`): an image with a preview for `ocr` and `isnet`, a recording with a player for `vad`
 * and `wakeword`, tensors for the generic `onnx` pipeline — JSON pre-filled from the manifest's declared inputs, or a
 * `.npy`/`.npz` file sent as its bytes — and any other pipeline's input as a file, as it is. This browser tops the
 * ComputeEscrow up when its available balance is short of the most the order may cost, signs the EIP-712 job order
 * with the account (the wallet, or the dev account's derived key), posts it with the input inline, then follows the
 * order to its result and checks the providers' signed attestations itself.
 */
import {
  FormatError,
  isNpy,
  isZip,
  jobOrderTypedData,
  MAX_REDUNDANCY,
  readNpyHeader,
  verificationCode,
} from '@souk/protocol';
import { getAsset, getAssetManifest, type Order } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { type Address, parseEther, zeroAddress } from 'viem';
import { useConfig } from 'wagmi';
import { getBlock, getConnection, switchChain } from 'wagmi/actions';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EscrowPanel } from '../components/EscrowPanel.tsx';
import { Field } from '../components/Field.tsx';
import { FileDrop } from '../components/FileDrop.tsx';
import { FlowStatus } from '../components/FlowStatus.tsx';
import { Loading } from '../components/Loading.tsx';
import { OrderDetails } from '../components/OrderDetails.tsx';
import { buttonClass, inputClass, Section } from '../components/Section.tsx';
import { useEscrow } from '../hooks/useEscrow.ts';
import { useFlow } from '../hooks/useFlow.ts';
import { useCurrency, useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { formatAmount, formatBytes } from '../lib/format.ts';
import { inputKindOf } from '../lib/inputKind.ts';
import { rememberOrderInput } from '../lib/inputStore.ts';
import {
  buildJobOrder,
  bytesToBase64,
  type Escrow,
  escrowShortfall,
  escrowTopUp,
  latestVersion,
  orderRefusal,
} from '../lib/orders.ts';
import { exampleInput } from '../lib/tensors.ts';

const STEPS = [
  { id: 'escrow', label: 'Check the escrow balance' },
  { id: 'deposit', label: 'Top up the escrow (deposit)' },
  { id: 'sign', label: 'Sign the job order (EIP-712)' },
  { id: 'post', label: 'Send the order with its input' },
];

/** Largest input sent inline with an order, bytes (the node's `MAX_ORDER_INPUT_BYTES`). */
const MAX_INPUT_BYTES = 1024 * 1024;
/** Seconds from now to the order's deadline (the node wants ≥ 30 s and ≤ the escrow's withdrawal delay). */
const DEADLINE_SECONDS = 300;

export function RunPage() {
  const { id = '' } = useParams();
  const { client, info } = useNode();
  const session = useSession();
  const config = useConfig();
  const currency = useCurrency()(zeroAddress);
  const escrow = useEscrow();
  const valid = /^[1-9]\d{0,77}$/.test(id);
  const asset = useQuery({
    queryKey: ['asset', id],
    queryFn: () => getAsset(client, { assetId: BigInt(id) }),
    enabled: valid,
  });
  const manifest = useQuery({
    queryKey: ['manifest', id, asset.data?.manifestCid],
    queryFn: () => getAssetManifest(client, { assetId: BigInt(id) }),
    enabled: valid && asset.data !== undefined,
  });
  const [media, setMedia] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [tensors, setTensors] = useState('');
  const [tensorSource, setTensorSource] = useState<'json' | 'file'>('json');
  const [tensorFile, setTensorFile] = useState<File | null>(null);
  const [tensorFileInfo, setTensorFileInfo] = useState<{ text?: string; error?: string } | null>(null);
  const [redundancy, setRedundancy] = useState('2');
  const [maxPrice, setMaxPrice] = useState('0.01');
  const [topUpOrders, setTopUpOrders] = useState('10');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [posted, setPosted] = useState<Order | null>(null);
  const flow = useFlow(STEPS);
  const pipeline = manifest.data?.runtime?.pipeline;
  const input = manifest.data ? inputKindOf(manifest.data) : null;
  const declared = manifest.data?.inputs ?? [];

  useEffect(() => {
    if (manifest.data && input?.kind === 'tensors' && !tensors) setTensors(exampleInput(manifest.data.inputs));
  }, [manifest.data, input?.kind, tensors]);
  useEffect(() => {
    if (!media || (input?.kind !== 'image' && input?.kind !== 'audio')) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(media);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [media, input?.kind]);
  useEffect(() => {
    setTensorFileInfo(null);
    if (!tensorFile) return;
    let live = true;
    void tensorFile
      .slice(0, 64 * 1024)
      .arrayBuffer()
      .then((buffer) => {
        if (!live) return;
        const head = new Uint8Array(buffer);
        if (isZip(head)) setTensorFileInfo({ text: '.npz: one <input name>.npy entry per input' });
        else if (isNpy(head)) {
          const h = readNpyHeader(head);
          setTensorFileInfo({
            text: `.npy: ${h.dtype}[${h.dims.join(', ')}]${h.fortranOrder ? ', Fortran order' : ''}`,
          });
        } else setTensorFileInfo({ error: 'Not a .npy or .npz file (neither \\x93NUMPY nor a zip at its start).' });
      })
      .catch((error: unknown) => {
        if (live) setTensorFileInfo({ error: error instanceof FormatError ? error.message : String(error) });
      });
    return () => {
      live = false;
    };
  }, [tensorFile]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string | undefined> = {};
    if (!input) return;
    if (input.kind === 'image' || input.kind === 'audio') {
      if (!media) problems.media = input.kind === 'image' ? 'Choose an image.' : 'Choose a recording.';
      else if (!input.matches(media))
        problems.media = `That file is not ${input.kind === 'image' ? 'an image' : 'an audio file'}.`;
    }
    if (input.kind === 'file' && !media) problems.media = 'Choose the input file.';
    if (input.kind === 'tensors' && tensorSource === 'json') problems.tensors = tensorsProblem(tensors);
    if (input.kind === 'tensors' && tensorSource === 'file') {
      if (!tensorFile) problems.tensorFile = 'Choose a .npy or .npz file.';
      else if (tensorFileInfo?.error) problems.tensorFile = tensorFileInfo.error;
      else if (tensorFileInfo?.text?.startsWith('.npy') && declared.length > 1)
        problems.tensorFile = `A bare .npy feeds a model's only input; this one has ${declared.length} (${declared.map((t) => t.name).join(', ')}): send a .npz with one <name>.npy per input.`;
    }
    const r = Number(redundancy);
    if (!Number.isInteger(r) || r < 1 || r > MAX_REDUNDANCY)
      problems.redundancy = `From 1 to ${MAX_REDUNDANCY} providers.`;
    if (!/^\d+(\.\d{1,18})?$/.test(maxPrice.trim()) || parseEther(maxPrice.trim()) === 0n)
      problems.maxPrice = 'A number of ETH above 0, e.g. 0.01.';
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return;
    setPosted(null);
    const field = input.kind !== 'tensors' ? 'media' : tensorSource === 'json' ? 'tensors' : 'tensorFile';
    const body: Blob =
      input.kind !== 'tensors'
        ? (media as File)
        : tensorSource === 'file'
          ? (tensorFile as File)
          : new Blob([tensors], { type: 'application/json' });
    if (body.size > MAX_INPUT_BYTES) {
      setErrors({ [field]: `At most ${formatBytes(MAX_INPUT_BYTES)} (this is ${formatBytes(body.size)}).` });
      return;
    }
    const maxPriceWei = parseEther(maxPrice.trim());
    await flow.run(
      async () => {
        await session.ensureSignedIn();
        const account = session.account;
        const computeEscrow = info.contracts.computeEscrow as Address | undefined;
        if (!account || !computeEscrow) throw new Error('This node has no ComputeEscrow to pay orders from.');
        const bytes = new Uint8Array(await body.arrayBuffer());

        flow.update('escrow', { status: 'active' });
        const before = await client.json<Escrow>(`/api/v1/orders/escrow?currency=${zeroAddress}`);
        const shortfall = escrowShortfall(before, maxPriceWei);
        flow.update('escrow', {
          status: 'done',
          detail: `${formatAmount(before.available, currency)} available${shortfall > 0n ? `, ${formatAmount(shortfall, currency)} short` : ''}`,
        });
        const nonce = BigInt(before.nextNonce);
        const topUp = escrowTopUp(before, maxPriceWei, Number(topUpOrders));
        if (topUp > 0n) {
          flow.update('deposit', {
            status: 'active',
            detail: `${formatAmount(topUp, currency)}${session.mode === 'unsigned' ? ': confirm in your wallet' : ': the node sends it for your dev account'}`,
          });
          await escrow.deposit(topUp, (hash) => flow.addHash('deposit', hash));
          flow.update('deposit', { status: 'done', detail: `${formatAmount(topUp, currency)} deposited` });
        } else {
          flow.update('deposit', { status: 'skipped', detail: 'the balance covers it' });
        }

        flow.update('sign', {
          status: 'active',
          detail:
            session.identity?.kind === 'wallet'
              ? 'confirm in your wallet'
              : 'with the dev account’s key, in this browser',
        });
        const block = await getBlock(config, { chainId: info.chainId });
        const { order, json } = buildJobOrder({
          requester: account.address,
          modelId: BigInt(id),
          modelVersion: latestVersion(asset.data?.versions),
          input: bytes,
          currency: zeroAddress,
          maxPrice: maxPriceWei,
          redundancy: r,
          // The model's declared class (exact, or tolerance for floats that differ across hardware): the node
          // refuses an order naming another.
          verification: verificationCode(manifest.data?.runtime?.verification),
          now: block.timestamp,
          deadlineSeconds: DEADLINE_SECONDS,
          nonce,
        });
        // Wallets refuse typed data whose domain names a chain other than the one they are on.
        if (session.identity?.kind === 'wallet' && getConnection(config).chainId !== info.chainId) {
          await switchChain(config, { chainId: info.chainId });
        }
        const signature = await account.signTypedData(jobOrderTypedData(info.chainId, computeEscrow, order));
        flow.update('sign', { status: 'done', detail: `nonce ${nonce}` });

        flow.update('post', { status: 'active', detail: formatBytes(bytes.length) });
        const accepted = await client.json<Order>('/api/v1/orders', {
          method: 'POST',
          body: { order: json, signature, input: bytesToBase64(bytes) },
        });
        if (input.kind === 'image' || input.kind === 'audio') await rememberOrderInput(accepted.orderHash, body);
        flow.update('post', { status: 'done', detail: 'accepted (202)' });
        setPosted(accepted);
        escrow.refresh();
      },
      undefined,
      orderRefusal,
    );
  };

  if (!valid) return <ErrorNotice error={{ title: 'No such asset', detail: `"${id}" is not an asset id.` }} />;
  if (asset.isLoading || manifest.isLoading) return <Loading label="Loading the model…" />;
  if (asset.error || manifest.error) return <ErrorNotice error={asset.error ?? manifest.error} />;
  const runnable = asset.data?.kind !== 'dataset' && manifest.data?.runtime !== undefined;

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link to={`/assets/${id}`} className="text-amber-800 underline">
            ← {asset.data?.name ?? `asset #${id}`}
          </Link>
        </p>
        <h1 className="text-2xl font-bold">Run {asset.data?.name ?? `asset #${id}`}</h1>
        <p className="text-sm text-stone-600">
          You sign a job order; independent providers run it, commit and then reveal their results, and you get the
          result with their signed attestations, checked here. The escrow pays them later, in a batch settled on-chain
          (80 % providers, 15 % treasury, 5 % the model's creator).
        </p>
      </div>
      {!runnable ? (
        <ErrorNotice error={{ title: 'Not runnable', detail: 'This asset declares no runtime pipeline.' }} />
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
          <form onSubmit={submit} noValidate className="space-y-4 lg:col-span-2" aria-label="Run the model">
            <Section title="Input">
              {input?.kind === 'image' || input?.kind === 'audio' ? (
                <div className="space-y-3">
                  <FileDrop
                    label={input.kind === 'image' ? 'Image' : 'Recording'}
                    accept={input.accept}
                    file={media}
                    onFile={setMedia}
                    error={errors.media}
                    hint={`${input.hint} Drop it here or choose it.`}
                  />
                  {preview &&
                    !posted &&
                    (input.kind === 'image' ? (
                      <img
                        src={preview}
                        alt="The chosen input"
                        className="max-h-80 max-w-full rounded border border-stone-200"
                      />
                    ) : (
                      // biome-ignore lint/a11y/useMediaCaption: the user's own recording, which has no captions
                      <audio src={preview} controls className="w-full" aria-label="The chosen recording" />
                    ))}
                </div>
              ) : input?.kind === 'file' ? (
                <FileDrop
                  label="Input file"
                  file={media}
                  onFile={setMedia}
                  error={errors.media}
                  hint={`Pipeline ${pipeline}: sent as it is, at most 1 MiB.`}
                />
              ) : (
                <div className="space-y-3">
                  <fieldset className="flex flex-wrap gap-4 text-sm">
                    <legend className="sr-only">Input tensors as</legend>
                    <label className="flex items-center gap-1">
                      <input
                        type="radio"
                        name="tensor-source"
                        checked={tensorSource === 'json'}
                        onChange={() => setTensorSource('json')}
                      />
                      JSON
                    </label>
                    <label className="flex items-center gap-1">
                      <input
                        type="radio"
                        name="tensor-source"
                        checked={tensorSource === 'file'}
                        onChange={() => setTensorSource('file')}
                      />
                      .npy / .npz file
                    </label>
                  </fieldset>
                  {declared.length > 0 && (
                    <p className="text-xs text-stone-600" data-testid="declared-inputs">
                      The model takes{' '}
                      {declared.map((t, i) => (
                        <span key={t.name}>
                          {i > 0 ? ', ' : ''}
                          <code>
                            {t.name}: {t.dtype}[{t.shape.join(', ')}]
                          </code>
                        </span>
                      ))}
                      {declared.some((t) => t.shape.some((d) => typeof d !== 'number'))
                        ? '; named dimensions are pre-filled as 1, any size the model accepts goes.'
                        : '.'}
                    </p>
                  )}
                  {tensorSource === 'json' ? (
                    <Field
                      label="Input tensors (JSON)"
                      hint={`Pipeline ${pipeline ?? 'onnx'}: {"tensors":{"name":{"dtype","dims","data"}}}, data row-major (numbers; "NaN", "Infinity"; int64 past 2^53 as strings).`}
                      error={errors.tensors}
                    >
                      {(ids) => (
                        <textarea
                          {...ids}
                          rows={10}
                          value={tensors}
                          onChange={(e) => setTensors(e.target.value)}
                          className={`${inputClass} font-mono text-xs`}
                          spellCheck={false}
                        />
                      )}
                    </Field>
                  ) : (
                    <FileDrop
                      label="Tensors file"
                      accept=".npy,.npz"
                      file={tensorFile}
                      onFile={setTensorFile}
                      error={errors.tensorFile ?? tensorFileInfo?.error}
                      hint={
                        declared.length > 1
                          ? `A .npz (numpy.savez) with ${declared.map((t) => `${t.name}.npy`).join(', ')}; sent as its bytes, at most 1 MiB.`
                          : 'A .npy (numpy.save) for the model’s input, or a .npz; sent as its bytes, at most 1 MiB.'
                      }
                    />
                  )}
                  {tensorSource === 'file' && tensorFileInfo?.text && (
                    <p className="text-xs text-stone-600" data-testid="tensor-file-info">
                      {tensorFileInfo.text}
                    </p>
                  )}
                </div>
              )}
            </Section>
            <Section title="Providers and payment">
              <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
                <Field label="Providers that must agree" error={errors.redundancy}>
                  {(ids) => (
                    <input
                      {...ids}
                      type="number"
                      min={1}
                      max={MAX_REDUNDANCY}
                      value={redundancy}
                      onChange={(e) => setRedundancy(e.target.value)}
                      className={inputClass}
                    />
                  )}
                </Field>
                <Field
                  label="Most you pay (ETH, from your escrow)"
                  error={errors.maxPrice}
                  hint="Signed in the order; charged at settlement, never more."
                >
                  {(ids) => (
                    <input
                      {...ids}
                      inputMode="decimal"
                      value={maxPrice}
                      onChange={(e) => setMaxPrice(e.target.value)}
                      className={inputClass}
                    />
                  )}
                </Field>
                <Field
                  label="When the escrow is short, deposit"
                  hint="Withdraw what is left at any time (it waits the escrow's delay)."
                  className="sm:col-span-2"
                >
                  {(ids) => (
                    <select
                      {...ids}
                      value={topUpOrders}
                      onChange={(e) => setTopUpOrders(e.target.value)}
                      className={inputClass}
                    >
                      <option value="1">enough for this order only</option>
                      <option value="10">enough for 10 orders like this (no deposit next time)</option>
                    </select>
                  )}
                </Field>
              </div>
            </Section>
            <button type="submit" className={`${buttonClass} w-full`} disabled={flow.running || !session.identity}>
              {flow.running ? 'Running…' : 'Run'}
            </button>
            {!session.identity && (
              <p className="text-xs text-stone-600">
                Choose an account to run models{info.devnet ? ' (a dev account needs no wallet)' : ''}.
              </p>
            )}
          </form>
          <div className="space-y-4">
            {(flow.running || flow.error || posted) && (
              <Section title="Order">
                <FlowStatus label="Order" steps={flow.steps} error={flow.error} />
              </Section>
            )}
            <EscrowPanel />
          </div>
        </div>
      )}
      {posted && (
        <div className="border-t border-stone-200 pt-6">
          <p className="mb-3 text-sm">
            <Link to={`/orders/${posted.orderHash}`} className="text-amber-800 underline">
              Open the page of this order
            </Link>
          </p>
          <OrderDetails orderHash={posted.orderHash} initial={posted} />
        </div>
      )}
    </div>
  );
}

/**
 * What is wrong with a JSON tensors input, before it is signed (the node checks names, dtypes and ranks).
 * @returns A sentence, or `undefined` when it is a `{"tensors": {...}}` object.
 */
function tensorsProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
  const tensors = (value as { tensors?: unknown } | null)?.tensors;
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors))
    return 'Needs a "tensors" object: {"tensors":{"<input name>":{"dtype","dims","data"}}}.';
  return undefined;
}
