/**
 * `GET /api/v1/analytics/performance` (docs/training.md): every evaluated model's verified metrics — how many
 * evaluations and datasets, the newest result and the best — computed from `model_evaluations`, the rows the
 * coordinator writes when an evaluation order's providers agree (`evaluations.ts`).
 */
import type { ModelPerformance } from '@souk/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/index.ts';

/** Columns of one evaluation, as the summary quotes it. */
type MetricsRow = {
  model_id: string;
  order_hash: string;
  dataset_sha256: string;
  samples: number;
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  created_at: string | number;
};

/**
 * The verified performance of the most recently evaluated models, newest first.
 * @param db - The node's database (PGlite or PostgreSQL: both support `DISTINCT ON`).
 * @param limit - At most this many models, 1…100.
 * @returns One entry per model with at least one verified evaluation.
 */
export async function modelPerformance(db: Kysely<Database>, limit = 20): Promise<ModelPerformance[]> {
  const models = await db
    .selectFrom('model_evaluations as e')
    .leftJoin('assets as a', 'a.id', 'e.model_id')
    .select([
      'e.model_id as model_id',
      'a.name as name',
      (eb) => eb.fn.countAll<string>().as('evaluations'),
      sql<string>`count(distinct e.dataset_sha256)`.as('datasets'),
      (eb) => eb.fn.max('e.created_at').as('last'),
    ])
    .groupBy(['e.model_id', 'a.name'])
    .orderBy('last', 'desc')
    .orderBy('e.model_id')
    .limit(limit)
    .execute();
  if (models.length === 0) return [];
  const ids = models.map((m) => String(m.model_id));
  const columns = [
    'model_id',
    'order_hash',
    'dataset_sha256',
    'samples',
    'accuracy',
    'precision_macro',
    'recall_macro',
    'f1_macro',
    'created_at',
  ] as const;
  // One row per model each: its newest evaluation, and its most accurate (the newest of equals).
  const [latest, best] = await Promise.all([
    db
      .selectFrom('model_evaluations')
      .select(columns)
      .distinctOn('model_id')
      .where('model_id', 'in', ids)
      .orderBy('model_id')
      .orderBy('created_at', 'desc')
      .orderBy('order_hash')
      .execute(),
    db
      .selectFrom('model_evaluations')
      .select(columns)
      .distinctOn('model_id')
      .where('model_id', 'in', ids)
      .orderBy('model_id')
      .orderBy('accuracy', 'desc')
      .orderBy('created_at', 'desc')
      .orderBy('order_hash')
      .execute(),
  ]);
  const byModel = (rows: MetricsRow[]) => new Map(rows.map((r) => [String(r.model_id), metricsOf(r)]));
  const latestOf = byModel(latest as MetricsRow[]);
  const bestOf = byModel(best as MetricsRow[]);
  return models.flatMap((m) => {
    const id = String(m.model_id);
    const newest = latestOf.get(id);
    const top = bestOf.get(id);
    if (!newest || !top) return []; // deleted between the queries (its order was pruned)
    return [
      {
        modelId: id,
        name: m.name ?? null,
        evaluations: Number(m.evaluations),
        datasets: Number(m.datasets),
        latest: newest,
        best: top,
      },
    ];
  });
}

function metricsOf(r: MetricsRow): ModelPerformance['latest'] {
  return {
    orderHash: r.order_hash,
    datasetSha256: r.dataset_sha256,
    samples: r.samples,
    accuracy: r.accuracy,
    precision: r.precision_macro,
    recall: r.recall_macro,
    f1: r.f1_macro,
    recordedAt: Number(r.created_at),
  };
}
