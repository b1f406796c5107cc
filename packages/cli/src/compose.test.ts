/**
 * `deploy/compose.yaml` against the real command line: every `souk` service's flags are options its command's help
 * (`commands/<name>.ts`) documents; every node's flags and environment pass the node's own `loadConfig` and name only
 * variables the node reads; every provider's variables are ones `souk provider` documents; and the pieces fit together
 * (shared database, bus, JWT secret and operator key; the deployments file the contracts job writes; providers funded
 * for their stake).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '@souk/node';
import { privateKeyToAccount } from 'viem/accounts';
import { parse } from 'yaml';
import { help as providerHelp } from './commands/provider.ts';
import { help as startHelp } from './commands/start.ts';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');
const NODE_SRC = path.join(ROOT, 'packages', 'node', 'src');

type Service = { command?: string[]; environment?: Record<string, string>; volumes?: string[] };
const compose = parse(readFileSync(path.join(ROOT, 'deploy', 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);
const souk = (service: Service) => service.command?.[0] === 'npx' && service.command[1] === 'souk';
const nodes = services.filter(([, s]) => souk(s) && s.command?.[2] === 'start');
const providers = services.filter(([, s]) => souk(s) && s.command?.[2] === 'provider' && s.command[3] === 'start');

/** The `--options` a command's help lists. */
const documentedFlags = (help: string) => new Set([...help.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));

/** `--flag value` pairs (and bare boolean flags) of a command line. */
function flagsOf(args: string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) continue;
    const next = args[i + 1];
    flags[args[i].slice(2)] = next === undefined || next.startsWith('--') ? true : next;
    if (flags[args[i].slice(2)] !== true) i++;
  }
  return flags;
}

/** `process.env.NAME` reads in the node's non-test sources (variables read outside `loadConfig`, e.g. the operator key). */
function nodeEnvReads(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts') && !entry.name.includes('.test.')) {
        for (const m of readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z0-9_]+)/g)) names.add(m[1]);
      }
    }
  };
  walk(NODE_SRC);
  return names;
}

describe('deploy/compose.yaml', () => {
  test('runs two nodes and three standalone providers', () => {
    assert.equal(nodes.length, 2, nodes.map(([name]) => name).join(', '));
    assert.equal(providers.length, 3, providers.map(([name]) => name).join(', '));
  });

  test("every souk service's flags are options of its command", () => {
    const start = documentedFlags(startHelp);
    const provider = documentedFlags(providerHelp);
    for (const [name, service] of [...nodes, ...providers]) {
      const documented = service.command?.[2] === 'start' ? start : provider;
      for (const flag of Object.keys(flagsOf(service.command ?? []))) {
        assert.ok(documented.has(flag), `${name}: --${flag} is not an option of souk ${service.command?.[2]}`);
      }
    }
  });

  test("every node's flags and environment pass loadConfig and name only variables the node reads", () => {
    const readElsewhere = nodeEnvReads();
    for (const [name, service] of nodes) {
      const env = service.environment ?? {};
      const read = new Set<string>();
      const recording = new Proxy(env, {
        get(target, key) {
          if (typeof key === 'string') read.add(key);
          return target[key as string];
        },
      });
      const flags = Object.fromEntries(
        Object.entries(flagsOf(service.command?.slice(3) ?? [])).filter(([, v]) => typeof v === 'string'),
      ) as Record<string, string>;
      const config = loadConfig(flags, recording); // throws ConfigError naming a bad value
      assert.ok(config.rpcUrl && config.deploymentsFile, `${name} joins an external chain (no embedded devnet)`);
      assert.ok(config.databaseUrl && config.natsUrl, `${name} scales out: PostgreSQL and NATS`);
      assert.ok(config.publicUrl, `${name} has a public URL (providers download from it)`);
      for (const variable of Object.keys(env)) {
        assert.ok(read.has(variable) || readElsewhere.has(variable), `${name}: the node never reads ${variable}`);
      }
    }
  });

  test('the nodes share one database, bus, JWT secret and operator key, and read the deployments file written for them', () => {
    const shared = ['DATABASE_URL', 'NATS_URL', 'JWT_SECRET', 'SOUK_OPERATOR_KEY'];
    const [first, ...rest] = nodes.map(([, s]) => s.environment ?? {});
    for (const env of rest) for (const key of shared) assert.equal(env[key], first[key], key);
    const contracts = compose.services.contracts;
    assert.deepEqual(contracts.command, ['node', 'deploy/deploy-contracts.ts']);
    assert.ok(existsSync(path.join(ROOT, 'deploy', 'deploy-contracts.ts')));
    const dir = contracts.environment?.DEPLOYMENTS_DIR as string;
    assert.equal(contracts.environment?.DEPLOYER_KEY, first.SOUK_OPERATOR_KEY, 'the deployer is the operator');
    for (const [name, service] of nodes) {
      const file = flagsOf(service.command ?? []).deployments as string;
      assert.equal(path.posix.dirname(file), dir, `${name} reads ${file} from ${dir}`);
    }
  });

  test('providers use documented variables, distinct keys, and accounts the deployment funds', () => {
    const funded = (compose.services.contracts.environment?.FUND_ACCOUNTS ?? '')
      .split(',')
      .map((a) => a.trim().toLowerCase());
    const keys = new Set<string>();
    for (const [name, service] of providers) {
      const env = service.environment ?? {};
      for (const variable of Object.keys(env)) {
        assert.match(
          providerHelp,
          new RegExp(`\\b${variable}\\b`),
          `${name}: souk provider never mentions ${variable}`,
        );
      }
      const key = env.SOUK_PRIVATE_KEY as `0x${string}`;
      assert.ok(key && !keys.has(key), `${name} has its own key`);
      keys.add(key);
      assert.ok(funded.includes(privateKeyToAccount(key).address.toLowerCase()), `${name}'s account is funded`);
      const node = flagsOf(service.command ?? []).node as string;
      assert.ok(
        nodes.some(([nodeName]) => new URL(node).hostname === nodeName),
        `${name} talks to a node service (${node})`,
      );
    }
  });
});
