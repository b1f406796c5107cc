/**
 * Run a model on the compute market: an image for OCR models, JSON tensors for generic ONNX models. The input is
 * uploaded, the job submitted with its reward in escrow, and the job followed live to its verified result.
 */
import { computeMarketAbi } from '@souk/contracts/abis';
import { getAsset, getAssetManifest, submitJob } from '@souk/sdk';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { parseEther, parseEventLogs } from 'viem';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Field } from '../components/Field.tsx';
import { FileDrop } from '../components/FileDrop.tsx';
import { FlowStatus } from '../components/FlowStatus.tsx';
import { JobDetails } from '../components/JobDetails.tsx';
import { Loading } from '../components/Loading.tsx';
import { buttonClass, inputClass, Section } from '../components/Section.tsx';
import { useFlow } from '../hooks/useFlow.ts';
import { useNode } from '../hooks/useNode.tsx';
import { useSession } from '../hooks/useSession.tsx';
import { useTransactions } from '../hooks/useTransactions.ts';
import { formatBytes } from '../lib/format.ts';
import { waitForIndexed } from '../lib/indexer.ts';
import { rememberJobInput } from '../lib/inputStore.ts';
import { exampleInput } from '../lib/tensors.ts';
import { uploadFile } from '../lib/upload.ts';

const STEPS = [
  { id: 'upload', label: 'Upload the input' },
  { id: 'submit', label: 'Submit the job (reward into escrow)' },
];

export function RunPage() {
  const { id = '' } = useParams();
  const { client, info } = useNode();
  const session = useSession();
  const { settle } = useTransactions();
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
  const [image, setImage] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [tensors, setTensors] = useState('');
  const [redundancy, setRedundancy] = useState('2');
  const [maxPrice, setMaxPrice] = useState('0.01');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [jobId, setJobId] = useState<string | null>(null);
  const flow = useFlow(STEPS);
  const pipeline = manifest.data?.runtime?.pipeline;
  const ocr = pipeline === 'ocr';

  useEffect(() => {
    if (manifest.data && !ocr && !tensors) setTensors(exampleInput(manifest.data.inputs));
  }, [manifest.data, ocr, tensors]);
  useEffect(() => {
    if (!image) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(image);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [image]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string | undefined> = {};
    if (ocr && !image) problems.image = 'Choose an image (PNG, JPEG, WebP…).';
    if (ocr && image && !image.type.startsWith('image/')) problems.image = 'That file is not an image.';
    if (!ocr) {
      try {
        JSON.parse(tensors);
      } catch {
        problems.tensors = 'Not valid JSON.';
      }
    }
    const r = Number(redundancy);
    if (!Number.isInteger(r) || r < 1 || r > 5) problems.redundancy = 'From 1 to 5 providers.';
    if (!/^\d+(\.\d{1,18})?$/.test(maxPrice.trim()) || parseEther(maxPrice.trim()) === 0n)
      problems.maxPrice = 'A number of ETH above 0, e.g. 0.01.';
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return;
    setJobId(null);
    const input: Blob = ocr ? (image as File) : new Blob([tensors], { type: 'application/json' });
    await flow.run(async () => {
      await session.ensureSignedIn();
      flow.update('upload', { status: 'active', progress: 0, detail: formatBytes(input.size) });
      const upload = await uploadFile(client, {
        file: input,
        encrypt: true,
        onProgress: (sent, total) => flow.update('upload', { progress: total ? sent / total : 0 }),
      });
      flow.update('upload', { status: 'done', progress: undefined });
      flow.update('submit', {
        status: 'active',
        detail: session.mode === 'unsigned' ? 'confirm in your wallet' : 'the node submits it for your dev account',
      });
      const submitted = await submitJob(client, {
        assetId: id,
        uploadId: upload.uploadId,
        redundancy: r,
        rewardWei: parseEther(maxPrice.trim()),
        mode: session.mode,
      });
      const { logs } = await settle(submitted, (hash) => flow.addHash('submit', hash));
      const newId =
        submitted.jobId ??
        parseEventLogs({ abi: computeMarketAbi, logs, eventName: 'JobSubmitted' }).map((e) => String(e.args.jobId))[0];
      if (!newId) throw new Error('The submission named no job.');
      if (ocr) await rememberJobInput(newId, input);
      const hash = submitted.transactionHashes.at(-1) ?? (logs.at(-1)?.transactionHash as string | undefined);
      if (hash) await waitForIndexed(client, { hash });
      flow.update('submit', { status: 'done', detail: `job #${newId}` });
      setJobId(newId);
    });
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
          Independent providers run it; they commit and then reveal their result hashes, and the escrow pays them only
          when they agree (80 % providers, 15 % treasury, 5 % the model's creator).
        </p>
      </div>
      {!runnable ? (
        <ErrorNotice error={{ title: 'Not runnable', detail: 'This asset declares no runtime pipeline.' }} />
      ) : (
        <form onSubmit={submit} noValidate className="grid grid-cols-1 gap-6 lg:grid-cols-3" aria-label="Run the model">
          <Section title="Input" className="lg:col-span-2">
            {ocr ? (
              <div className="space-y-3">
                <FileDrop
                  label="Image"
                  accept="image/*"
                  file={image}
                  onFile={setImage}
                  error={errors.image}
                  hint="A photo or scan with printed text. Drop it here or choose it."
                />
                {preview && !jobId && (
                  <img
                    src={preview}
                    alt="The chosen input"
                    className="max-h-80 max-w-full rounded border border-stone-200"
                  />
                )}
              </div>
            ) : (
              <Field
                label="Input tensors (JSON)"
                hint={`Pipeline ${pipeline}: {"tensors":{"name":{"dtype","dims","data"}}}, data row-major.`}
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
            )}
          </Section>
          <div className="space-y-4">
            <Section title="Job">
              <div className="space-y-3">
                <Field label="Providers that must agree" error={errors.redundancy}>
                  {(ids) => (
                    <input
                      {...ids}
                      type="number"
                      min={1}
                      max={5}
                      value={redundancy}
                      onChange={(e) => setRedundancy(e.target.value)}
                      className={inputClass}
                    />
                  )}
                </Field>
                <Field label="Most you pay (ETH, escrowed)" error={errors.maxPrice}>
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
              </div>
            </Section>
            <button type="submit" className={`${buttonClass} w-full`} disabled={flow.running || !session.identity}>
              {flow.running ? 'Submitting…' : 'Run'}
            </button>
            {!session.identity && (
              <p className="text-xs text-stone-600">
                Choose an account to run jobs{info.devnet ? ' (a dev account needs no wallet)' : ''}.
              </p>
            )}
            {(flow.running || flow.error || jobId) && (
              <FlowStatus label="Submission" steps={flow.steps} error={flow.error} />
            )}
          </div>
        </form>
      )}
      {jobId && (
        <div className="border-t border-stone-200 pt-6">
          <p className="mb-3 text-sm">
            <Link to={`/jobs/${jobId}`} className="text-amber-800 underline">
              Open the page of job #{jobId}
            </Link>
          </p>
          <JobDetails jobId={jobId} />
        </div>
      )}
    </div>
  );
}
