/**
 * CPU profiles for the report: runs a function under V8's sampling profiler (`node:inspector`, this thread only)
 * and summarises where the time went, by self time, grouped by function and by package.
 */
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fmt, table } from './lib.ts';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** Self time per function and per package, ms, largest first. */
export type ProfileSummary = {
  totalMs: number;
  functions: Array<{ name: string; where: string; selfMs: number; share: number }>;
  packages: Array<{ name: string; selfMs: number; share: number }>;
};

/** Where a frame's code lives: a package name, `node:<module>`, a repository path, or a V8 pseudo-frame. */
function origin(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const repo = url.indexOf('/packages/');
  return repo >= 0 ? url.slice(repo + 1) : path.basename(url);
}

/** Runs `fn` under the profiler (1 ms sampling); returns its result and the summary. */
export async function profiled<T>(fn: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  let result: T;
  let profile: Profile;
  try {
    result = await fn();
  } finally {
    ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile });
    session.disconnect();
  }
  return { result, summary: summarizeProfile(profile) };
}

/** Aggregates a `.cpuprofile` by self time. */
export function summarizeProfile(profile: Profile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  /** A native frame (no URL) is named after its nearest caller outside Node's own modules. */
  const caller = (id: number): ProfileNode | undefined => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const node = byId.get(p) as ProfileNode;
      if (node.callFrame.url && !node.callFrame.url.startsWith('node:')) return node;
    }
    return undefined;
  };
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const totalMs = [...self.values()].reduce((s, v) => s + v, 0);
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  const packages = new Map<string, number>();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    const native = !url && !functionName.startsWith('(');
    const from = native ? caller(id) : undefined;
    const where = from ? origin(from.callFrame.url, '') : origin(url, functionName);
    const name = `${functionName || '(anonymous)'}${from ? ` ← ${from.callFrame.functionName || '(anonymous)'}` : ''}`;
    const key = `${name}@${from ? from.callFrame.url : url}:${from ? from.callFrame.lineNumber : lineNumber}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += ms;
    functions.set(key, entry);
    packages.set(where, (packages.get(where) ?? 0) + ms);
  }
  const share = (ms: number) => (totalMs > 0 ? ms / totalMs : 0);
  return {
    totalMs,
    functions: [...functions.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 15)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), share: share(f.selfMs) })),
    packages: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, ms]) => ({ name, selfMs: Math.round(ms), share: share(ms) })),
  };
}

/** Markdown tables of a summary's top `n` functions and packages. */
export function profileMarkdown(summary: ProfileSummary, n = 10): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  return [
    table(
      ['function (self time)', 'where', 'ms', 'share'],
      summary.functions.slice(0, n).map((f) => [`\`${f.name}\``, f.where, fmt(f.selfMs), pct(f.share)]),
    ),
    '',
    table(
      ['package / module (self time)', 'ms', 'share'],
      summary.packages.slice(0, n).map((p) => [p.name, fmt(p.selfMs), pct(p.share)]),
    ),
  ].join('\n');
}
