/**
 * The service-availability helper: a reason when a service is down, an error when it is required, false when it
 * answers. "Down" is a port nothing listens on (bound, then closed, so it is free and refuses connections).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RequiredServiceUnavailableError, serviceUnavailable } from './services.ts';

/** A loopback port that refuses connections: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('serviceUnavailable', () => {
  for (const [service, scheme] of [
    ['postgres', 'postgres://postgres@'],
    ['nats', 'nats://'],
  ] as const) {
    test(`${service} down: a skip reason naming the service and address, unless required`, async () => {
      const url = `${scheme}127.0.0.1:${await closedPort()}${service === 'postgres' ? '/test' : ''}`;
      const reason = await serviceUnavailable(service, { url, required: false, timeoutMs: 1_000 });
      assert.equal(typeof reason, 'string');
      assert.match(reason as string, service === 'postgres' ? /^PostgreSQL at / : /^NATS with JetStream at /);
      assert.ok((reason as string).includes(url));
    });

    test(`${service} down and required: throws RequiredServiceUnavailableError naming the service`, async () => {
      const url = `${scheme}127.0.0.1:${await closedPort()}${service === 'postgres' ? '/test' : ''}`;
      await assert.rejects(serviceUnavailable(service, { url, required: true, timeoutMs: 1_000 }), (err: unknown) => {
        assert.ok(err instanceof RequiredServiceUnavailableError);
        assert.equal(err.service, service);
        assert.equal(err.url, url);
        assert.match(err.message, service === 'postgres' ? /^PostgreSQL is required/ : /^NATS JetStream is required/);
        assert.match(err.message, /SOUK_REQUIRE_SERVICES=1/);
        return true;
      });
    });
  }

  test('SOUK_REQUIRE_SERVICES=1 makes a missing service an error by default', async () => {
    const url = `nats://127.0.0.1:${await closedPort()}`;
    const before = process.env.SOUK_REQUIRE_SERVICES;
    process.env.SOUK_REQUIRE_SERVICES = '1';
    try {
      await assert.rejects(serviceUnavailable('nats', { url, timeoutMs: 1_000 }), RequiredServiceUnavailableError);
    } finally {
      if (before === undefined) delete process.env.SOUK_REQUIRE_SERVICES;
      else process.env.SOUK_REQUIRE_SERVICES = before;
    }
    delete process.env.SOUK_REQUIRE_SERVICES;
    try {
      assert.equal(typeof (await serviceUnavailable('nats', { url, timeoutMs: 1_000 })), 'string');
    } finally {
      if (before !== undefined) process.env.SOUK_REQUIRE_SERVICES = before;
    }
  });

  test('a NATS server without JetStream counts as unavailable (a fake server that answers INFO but no $JS API)', async () => {
    // Speaks just enough of the NATS protocol for a client to connect; never answers the JetStream API request.
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.write(
        `INFO ${JSON.stringify({ server_id: 'fake', version: '2.10.0', proto: 1, headers: true, max_payload: 1048576 })}\r\n`,
      );
      socket.on('data', (data) => {
        for (const line of data.toString().split('\r\n')) if (line === 'PING') socket.write('PONG\r\n');
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const reason = await serviceUnavailable('nats', {
        url: `nats://127.0.0.1:${port}`,
        required: false,
        timeoutMs: 800,
      });
      assert.match(String(reason), /^NATS with JetStream at /);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

describe('the machine services this run relies on', () => {
  for (const service of ['postgres', 'nats'] as const) {
    test(`${service} answers (skipped with the reason when down; an error under SOUK_REQUIRE_SERVICES=1)`, async (t) => {
      const reason = await serviceUnavailable(service);
      if (reason) return t.skip(reason);
      assert.equal(reason, false);
    });
  }
});

describe('a service-dependent suite with its service down (the NATS bus contract suite, run as a child)', () => {
  const suite = fileURLToPath(new URL('../bus/contract.test.ts', import.meta.url));
  const runSuite = async (env: Record<string, string>) => {
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing its own results.
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith('SOUK_') && !k.startsWith('NATS_') && k !== 'NODE_TEST_CONTEXT',
      ),
    );
    const url = `nats://127.0.0.1:${await closedPort()}`;
    const run = spawnSync(process.execPath, ['--test', '--test-name-pattern=NATS JetStream bus', suite], {
      env: { ...clean, SOUK_TEST_NATS_URL: url, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { ...run, url };
  };

  test('is reported as skipped, with the reason naming the address (not silently absent)', async () => {
    const run = await runSuite({});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`NATS JetStream bus .*# NATS with JetStream at ${run.url} is unreachable`));
  });

  test('fails the run under SOUK_REQUIRE_SERVICES=1, naming the missing service', async () => {
    const run = await runSuite({ SOUK_REQUIRE_SERVICES: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout + run.stderr, /NATS JetStream is required \(SOUK_REQUIRE_SERVICES=1\)/);
  });
});
