// `npm run build` (and the root `prepare`, so the last step of `npm install` / `npm ci`): builds the contracts, then
// the web app, each workspace's own `build` script run in its folder, saying before each step what it does and how
// long it takes, every 30 s while a step runs that it still runs, and afterwards how long it took. forge prints
// nothing while solc-js compiles (~2½ min on 2 cores the first time), which otherwise looks like a hung install.
// Plain JavaScript, so that it runs on the machine's Node if npm has not put the pinned Node 24 first on the PATH.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Seconds between "still running" lines. */
const HEARTBEAT_S = 30;

/** The steps, in order: the workspace folder whose `build` script runs, what it does and how long it takes. */
const STEPS = [
  {
    dir: 'contracts',
    what: 'Solidity contracts: forge build with solc-js, then their TypeScript ABIs',
    takes:
      'about 2½ minutes on 2 cores the first time, with no output from forge until it is done; seconds when nothing changed',
  },
  {
    dir: 'apps/web',
    what: 'web app: vite build',
    takes: 'about half a minute',
  },
];

/** `12.3 s` or `2 min 25 s`. */
function elapsed(ms) {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Runs a workspace's `build` script as `npm run build` would: in its folder, its and the root's `.bin` first. */
function runBuild(dir) {
  const cwd = path.join(ROOT, dir);
  const { scripts } = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8'));
  if (!scripts?.build) throw new Error(`${dir}/package.json has no build script.`);
  const bins = [path.join(cwd, 'node_modules', '.bin'), path.join(ROOT, 'node_modules', '.bin')];
  const env = { ...process.env, PATH: [...bins, process.env.PATH].join(path.delimiter) };
  console.error(`> ${scripts.build}`);
  return new Promise((resolve) => {
    const child = spawn(scripts.build, { cwd, env, shell: true, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(error.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const started = performance.now();
for (const [i, { dir, what, takes }] of STEPS.entries()) {
  const tag = `[build ${i + 1}/${STEPS.length}]`;
  console.error(`\n${tag} ${what} (${dir}/) — ${takes}…`);
  const t0 = performance.now();
  const heartbeat = setInterval(
    () => console.error(`${tag} … still running (${elapsed(performance.now() - t0)})`),
    HEARTBEAT_S * 1000,
  );
  const code = await runBuild(dir);
  clearInterval(heartbeat);
  if (code !== 0) {
    console.error(`${tag} failed after ${elapsed(performance.now() - t0)} (exit ${code})`);
    process.exit(code);
  }
  console.error(`${tag} done in ${elapsed(performance.now() - t0)}`);
}
console.error(`\nbuild done in ${elapsed(performance.now() - started)}`);
