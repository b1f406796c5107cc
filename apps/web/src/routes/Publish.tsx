/**
 * Publish an asset in one flow: drop the file, fill in the manifest (validated field by field), then upload (with
 * progress), mint, open licence sales and list it — each step with its transactions.
 */
import { agentNftAbi } from '@souk/contracts/abis';
import { listAsset, publishAsset, setLicenceTerms } from '@souk/sdk';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { type Hex, type Log, parseEventLogs, zeroAddress } from 'viem';
import { Field } from '../components/Field.tsx';
import { FileDrop } from '../components/FileDrop.tsx';
import { FlowStatus } from '../components/FlowStatus.tsx';
import { buttonClass, inputClass, Section } from '../components/Section.tsx';
import { useFlow } from '../hooks/useFlow.ts';
import { useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { useTransactions } from '../hooks/useTransactions.ts';
import { currencyOf, formatBytes, knownCurrencies } from '../lib/format.ts';
import { waitForIndexed } from '../lib/indexer.ts';
import { emptyPublishForm, type PublishForm, validatePublishForm } from '../lib/publishForm.ts';
import { uploadFile } from '../lib/upload.ts';

const STEPS = [
  { id: 'upload', label: 'Upload the file' },
  { id: 'mint', label: 'Write the manifest and mint' },
  { id: 'terms', label: 'Open licence sales' },
  { id: 'list', label: 'List for sale' },
];

export function PublishPage() {
  const { client, info } = useNode();
  const session = useSession();
  const { settle } = useTransactions();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<PublishForm>(emptyPublishForm);
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof PublishForm | 'file', string>>>({});
  const [published, setPublished] = useState<string | null>(null);
  const flow = useFlow(STEPS);
  const currencies = useMemo(() => knownCurrencies(info), [info]);
  const set = <K extends keyof PublishForm>(key: K, value: PublishForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const result = validatePublishForm(form, file, (a) => currencyOf(info, a));
    if (!result.ok) {
      setErrors(result.errors);
      // Focus the first invalid field.
      requestAnimationFrame(() => formElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setErrors({});
    setPublished(null);
    const { plan } = result;
    const steps = STEPS.filter((s) => (s.id === 'terms' ? plan.licence : s.id === 'list' ? plan.listing : true));
    await flow.run(async () => {
      await session.ensureSignedIn();
      flow.update('upload', { status: 'active', progress: 0, detail: formatBytes((file as File).size) });
      const upload = await uploadFile(client, {
        file: file as File,
        encrypt: plan.encrypt,
        onProgress: (sent, total) => flow.update('upload', { progress: total ? sent / total : 0 }),
      });
      flow.update('upload', {
        status: 'done',
        progress: undefined,
        detail: `${formatBytes(upload.size)} · ${upload.contentCid}`,
      });

      flow.update('mint', {
        status: 'active',
        detail: session.mode === 'unsigned' ? 'confirm in your wallet' : 'the node mints for your dev account',
      });
      const minted = await publishAsset(client, {
        ...plan.asset,
        uploadId: upload.uploadId,
        mint: { mode: session.mode },
      });
      let assetId = minted.assetId;
      let logs: Log[] = [];
      if (minted.transaction) {
        ({ logs } = await settle({ transactionHashes: [], transactions: [minted.transaction] }, (hash) =>
          flow.addHash('mint', hash),
        ));
        const [event] = parseEventLogs({ abi: agentNftAbi, logs, eventName: 'AssetMinted' });
        assetId = event ? String(event.args.tokenId) : null;
      } else if (minted.transactionHash) flow.addHash('mint', minted.transactionHash);
      if (!assetId) throw new Error('The mint transaction named no asset.');
      const mintHash = minted.transactionHash ?? logs.at(-1)?.transactionHash;
      if (mintHash) await waitForIndexed(client, { hash: mintHash });
      flow.update('mint', { status: 'done', detail: `asset #${assetId}` });
      setPublished(assetId);

      if (plan.licence) {
        flow.update('terms', { status: 'active' });
        const terms = await setLicenceTerms(client, {
          assetId: BigInt(assetId),
          price: plan.licence.price,
          currency: plan.licence.currency === zeroAddress ? undefined : plan.licence.currency,
          durationSeconds: plan.licence.durationSeconds,
          mode: session.mode,
        });
        await settle(terms, (hash) => flow.addHash('terms', hash as Hex));
        flow.update('terms', { status: 'done' });
      }
      if (plan.listing) {
        flow.update('list', { status: 'active' });
        const listed = await listAsset(client, {
          assetId: BigInt(assetId),
          price: plan.listing.price,
          currency: plan.listing.currency === zeroAddress ? undefined : plan.listing.currency,
          mode: session.mode,
        });
        await settle(listed, (hash) => flow.addHash('list', hash as Hex));
        flow.update('list', { status: 'done' });
      }
      queryClient.invalidateQueries({ queryKey: ['assets'] });
    }, steps);
  };

  const runnable = form.kind !== 'dataset';
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Publish</h1>
        <p className="text-sm text-stone-600">
          Your file is stored on the node (encrypted unless public), its manifest is written to storage, and the asset
          is minted as an NFT you own.
        </p>
      </div>
      {!session.identity && (
        <p role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          Choose an account (top right) to publish{info.devnet ? ': on the devnet a dev account needs no wallet.' : '.'}
        </p>
      )}
      <form
        onSubmit={submit}
        noValidate
        className="grid grid-cols-1 gap-6 lg:grid-cols-3"
        aria-label="Publish an asset"
      >
        <div className="space-y-6 lg:col-span-2">
          <Section title="File">
            <FileDrop
              label="Model, agent or dataset file"
              file={file}
              onFile={(f) => {
                setFile(f);
                setErrors((e) => ({ ...e, file: undefined }));
              }}
              error={errors.file}
              hint="A model bundle (.tar), an .onnx file, a dataset… Drop it here or choose it."
            />
            <label className="mt-3 flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={form.encrypt}
                onChange={(e) => set('encrypt', e.target.checked)}
                className="accent-amber-700"
              />
              Encrypt (only licence holders can download it)
            </label>
          </Section>

          <Section title="Manifest">
            <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
              <Field label="Name" error={errors.name} className="sm:col-span-2">
                {(ids) => (
                  <input
                    {...ids}
                    value={form.name}
                    onChange={(e) => set('name', e.target.value)}
                    maxLength={200}
                    required
                    className={inputClass}
                  />
                )}
              </Field>
              <Field label="Kind">
                {(ids) => (
                  <select
                    {...ids}
                    value={form.kind}
                    onChange={(e) => set('kind', e.target.value as PublishForm['kind'])}
                    className={inputClass}
                  >
                    <option value="model">Model</option>
                    <option value="agent">Agent</option>
                    <option value="dataset">Dataset</option>
                  </select>
                )}
              </Field>
              {runnable && (
                <Field
                  label="Pipeline"
                  hint="How providers run it: ocr (a PaddleOCR bundle), onnx (one ONNX model), or none."
                  error={errors.pipeline}
                >
                  {(ids) => (
                    <input
                      {...ids}
                      list="pipelines"
                      value={form.pipeline}
                      onChange={(e) => set('pipeline', e.target.value)}
                      className={inputClass}
                      placeholder="not runnable"
                    />
                  )}
                </Field>
              )}
              <datalist id="pipelines">
                <option value="ocr" />
                <option value="onnx" />
              </datalist>
              {runnable && form.pipeline && (
                <Field label="Runtime engine" error={errors.engine}>
                  {(ids) => (
                    <input
                      {...ids}
                      value={form.engine}
                      onChange={(e) => set('engine', e.target.value)}
                      className={inputClass}
                    />
                  )}
                </Field>
              )}
              <Field label="Description" error={errors.description} className="sm:col-span-2">
                {(ids) => (
                  <textarea
                    {...ids}
                    rows={2}
                    value={form.description}
                    onChange={(e) => set('description', e.target.value)}
                    className={inputClass}
                  />
                )}
              </Field>
              <Field
                label="Model card (Markdown)"
                error={errors.modelCard}
                className="sm:col-span-2"
                hint="What it does, its inputs and outputs, its training data, its limits."
              >
                {(ids) => (
                  <textarea
                    {...ids}
                    rows={8}
                    value={form.modelCard}
                    onChange={(e) => set('modelCard', e.target.value)}
                    className={`${inputClass} font-mono`}
                  />
                )}
              </Field>
              {runnable && (
                <>
                  <Field
                    label="Input tensors (JSON, optional)"
                    error={errors.inputs}
                    hint='[{"name":"x","dtype":"float32","shape":["batch",3]}]'
                  >
                    {(ids) => (
                      <textarea
                        {...ids}
                        rows={3}
                        value={form.inputs}
                        onChange={(e) => set('inputs', e.target.value)}
                        className={`${inputClass} font-mono text-xs`}
                        spellCheck={false}
                      />
                    )}
                  </Field>
                  <Field label="Output tensors (JSON, optional)" error={errors.outputs}>
                    {(ids) => (
                      <textarea
                        {...ids}
                        rows={3}
                        value={form.outputs}
                        onChange={(e) => set('outputs', e.target.value)}
                        className={`${inputClass} font-mono text-xs`}
                        spellCheck={false}
                      />
                    )}
                  </Field>
                </>
              )}
            </div>
          </Section>
        </div>

        <div className="space-y-6">
          <Section title="Licence and sale">
            <div className="space-y-4">
              <Field
                label="Licence"
                hint="An SPDX id (Apache-2.0, CC-BY-4.0), a URL, or your terms."
                error={errors.terms}
              >
                {(ids) => (
                  <input
                    {...ids}
                    value={form.terms}
                    onChange={(e) => set('terms', e.target.value)}
                    className={inputClass}
                  />
                )}
              </Field>
              <div className="grid grid-cols-[1fr_auto] gap-2">
                <Field label="Licence price" hint="Empty: no licence sales." error={errors.price}>
                  {(ids) => (
                    <input
                      {...ids}
                      inputMode="decimal"
                      value={form.price}
                      onChange={(e) => set('price', e.target.value)}
                      className={inputClass}
                      placeholder="0.01"
                    />
                  )}
                </Field>
                <Field label="Currency">
                  {(ids) => (
                    <select
                      {...ids}
                      value={form.currency}
                      onChange={(e) => set('currency', e.target.value)}
                      className={inputClass}
                    >
                      {currencies.map((c) => (
                        <option key={c.address} value={c.address}>
                          {c.symbol}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              </div>
              <Field label="Licence duration (days)" hint="Empty: perpetual." error={errors.durationDays}>
                {(ids) => (
                  <input
                    {...ids}
                    inputMode="decimal"
                    value={form.durationDays}
                    onChange={(e) => set('durationDays', e.target.value)}
                    className={inputClass}
                  />
                )}
              </Field>
              <Field
                label="Royalty on resales (%)"
                hint="0 to 10 %, paid to you on every resale (ERC-2981)."
                error={errors.royaltyPercent}
              >
                {(ids) => (
                  <input
                    {...ids}
                    inputMode="decimal"
                    value={form.royaltyPercent}
                    onChange={(e) => set('royaltyPercent', e.target.value)}
                    className={inputClass}
                  />
                )}
              </Field>
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={form.list}
                  onChange={(e) => set('list', e.target.checked)}
                  className="accent-amber-700"
                />
                Also list the NFT for sale
              </label>
              {form.list && (
                <Field label="Sale price" hint="Empty: the licence price." error={errors.listPrice}>
                  {(ids) => (
                    <input
                      {...ids}
                      inputMode="decimal"
                      value={form.listPrice}
                      onChange={(e) => set('listPrice', e.target.value)}
                      className={inputClass}
                    />
                  )}
                </Field>
              )}
            </div>
          </Section>
          <button type="submit" className={`${buttonClass} w-full`} disabled={flow.running || !session.identity}>
            {flow.running ? 'Publishing…' : 'Publish'}
          </button>
          {(flow.running || flow.error || published) && (
            <Section title="Progress">
              <FlowStatus label="Publishing" steps={flow.steps} error={flow.error} />
              {published && !flow.running && !flow.error && (
                <p className="mt-3 text-sm" role="status">
                  Published.{' '}
                  <Link to={`/assets/${published}`} className="font-semibold text-amber-800 underline">
                    Open asset #{published}
                  </Link>
                </p>
              )}
            </Section>
          )}
        </div>
      </form>
    </div>
  );
}
