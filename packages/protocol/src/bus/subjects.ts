/**
 * Subjects of the job bus, and the subject rules both implementations (the node's in-process and NATS buses) enforce
 * the same way (NATS rules: dot-separated
 * tokens; `*` matches one token and `>` the rest, in filters only).
 *
 * | subject | carries |
 * | --- | --- |
 * | `<prefix>.jobs.assigned.<provider>` | an assignment for one provider (its address) |
 * | `<prefix>.jobs.results.<jobId>` | a provider's result notice for one job |
 * | `<prefix>.jobs.failures.<jobId>` | a provider's signed report that the job itself cannot run |
 * | `<prefix>.providers.heartbeat` | provider heartbeats (load, latency, cached models) |
 */
import { InvalidSubjectError } from './errors.ts';

/** Subject builders for one prefix (default `souk`). */
export type BusSubjects = {
  /** The root token(s), e.g. `souk`. */
  readonly prefix: string;
  /** Every subject of the bus: `<prefix>.>` (the stream captures this). */
  readonly all: string;
  /** Assignments to one provider: `<prefix>.jobs.assigned.<provider>`. */
  assigned(provider: string): string;
  /** Assignments to every provider (a filter): `<prefix>.jobs.assigned.*`. */
  readonly assignedAll: string;
  /** Results of one job: `<prefix>.jobs.results.<jobId>`. */
  results(jobId: bigint | string): string;
  /** Results of every job (a filter): `<prefix>.jobs.results.*`. */
  readonly resultsAll: string;
  /** Signed failure reports of one job: `<prefix>.jobs.failures.<jobId>`. */
  failures(jobId: bigint | string): string;
  /** Failure reports of every job (a filter): `<prefix>.jobs.failures.*`. */
  readonly failuresAll: string;
  /** Provider heartbeats: `<prefix>.providers.heartbeat`. */
  readonly heartbeat: string;
};

const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Checks one subject token (an address, a job id): letters, digits, `_` and `-` only.
 *
 * @param token The token.
 * @returns The token.
 * @throws {InvalidSubjectError} Otherwise.
 *
 * @example
 * ```ts
 * import { subjectToken } from '@souk/protocol'
 * subjectToken('0xabc') // '0xabc'
 * ```
 */
export function subjectToken(token: string): string {
  if (!TOKEN.test(token))
    throw new InvalidSubjectError({ subject: token, reason: 'a token allows [A-Za-z0-9_-] only' });
  return token;
}

/**
 * Builds the subjects of a bus.
 *
 * @param prefix Root of every subject: one or more dot-separated tokens. @default 'souk'
 * @returns The subject builders.
 * @throws {InvalidSubjectError} For a bad prefix.
 *
 * @example
 * ```ts
 * import { createSubjects } from '@souk/protocol'
 * createSubjects().assigned('0xabc') // 'souk.jobs.assigned.0xabc'
 * ```
 */
export function createSubjects(prefix = 'souk'): BusSubjects {
  for (const token of prefix.split('.')) subjectToken(token);
  return Object.freeze({
    prefix,
    all: `${prefix}.>`,
    assigned: (provider: string) => `${prefix}.jobs.assigned.${subjectToken(provider)}`,
    assignedAll: `${prefix}.jobs.assigned.*`,
    results: (jobId: bigint | string) => `${prefix}.jobs.results.${subjectToken(String(jobId))}`,
    resultsAll: `${prefix}.jobs.results.*`,
    failures: (jobId: bigint | string) => `${prefix}.jobs.failures.${subjectToken(String(jobId))}`,
    failuresAll: `${prefix}.jobs.failures.*`,
    heartbeat: `${prefix}.providers.heartbeat`,
  });
}

/**
 * Checks a subject or filter against the bus rules.
 *
 * @param subject The subject.
 * @param params `prefix`: the subject must start with `<prefix>.`; `filter`: whether wildcards are allowed.
 * @returns The subject.
 * @throws {InvalidSubjectError} On an empty token, a character outside `[A-Za-z0-9_-]`, a wildcard in a publish, a
 *   `>` that is not last, or a subject outside the prefix.
 *
 * @example
 * ```ts
 * import { assertSubject } from '@souk/protocol'
 * assertSubject('souk.jobs.assigned.*', { prefix: 'souk', filter: true })
 * ```
 */
export function assertSubject(subject: string, { prefix, filter }: { prefix: string; filter: boolean }): string {
  if (!subject.startsWith(`${prefix}.`)) {
    throw new InvalidSubjectError({ subject, reason: `it must start with "${prefix}."` });
  }
  const tokens = subject.split('.');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '*' || token === '>') {
      if (!filter) throw new InvalidSubjectError({ subject, reason: 'wildcards are for subscriptions only' });
      if (token === '>' && i !== tokens.length - 1) {
        throw new InvalidSubjectError({ subject, reason: '">" must be the last token' });
      }
      continue;
    }
    if (!TOKEN.test(token)) {
      throw new InvalidSubjectError({ subject, reason: `token "${token}" allows [A-Za-z0-9_-] only` });
    }
  }
  return subject;
}

/**
 * Whether a subject matches a filter, with NATS semantics (`*` one token, `>` one or more trailing tokens).
 *
 * @param filter The filter.
 * @param subject A concrete subject.
 * @returns Whether it matches.
 *
 * @example
 * ```ts
 * import { subjectMatches } from '@souk/protocol'
 * subjectMatches('souk.jobs.>', 'souk.jobs.results.7') // true
 * ```
 */
export function subjectMatches(filter: string, subject: string): boolean {
  if (filter === subject) return true;
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/**
 * The full durable consumer name of a subscription: `<consumerPrefix>-<durable>`, where `durable` defaults to the
 * subject with `.` → `_`, `*` → `STAR`, `>` → `ALL` (consumer names may not contain `.`, `*`, `>` or spaces).
 *
 * @param consumerPrefix The bus's consumer prefix (one per logical service, e.g. `souk-node`).
 * @param subject The subscription's filter.
 * @param durable An explicit durable name, if any.
 * @returns The consumer name.
 * @throws {InvalidSubjectError} When the name has characters outside `[A-Za-z0-9_-]`.
 *
 * @example
 * ```ts
 * import { consumerName } from '@souk/protocol'
 * consumerName('souk-node', 'souk.jobs.results.*') // 'souk-node-souk_jobs_results_STAR'
 * ```
 */
export function consumerName(consumerPrefix: string, subject: string, durable?: string): string {
  const base = durable ?? subject.replaceAll('.', '_').replaceAll('*', 'STAR').replaceAll('>', 'ALL');
  return subjectToken(`${consumerPrefix}-${base}`);
}
