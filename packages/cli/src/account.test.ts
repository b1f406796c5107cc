/** Which account a command acts as: flags, environment, keystore, and the devnet's dev accounts. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devAccounts } from '@souk/contracts';
import * as Keystore from 'ox/Keystore';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { resolveAccount } from './account.ts';
import { UsageError } from './errors.ts';

const devnet = async () => true;
const notDevnet = async () => false;
const usage = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && pattern.test(error.message);

describe('resolveAccount', () => {
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address;
  const other = generatePrivateKey();
  let dir: string;
  let keystoreFile: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'souk-cli-account-'));
    keystoreFile = path.join(dir, 'key.json');
    // A cheap KDF keeps the test fast; real keystores use 262,144 rounds or scrypt.
    const [derived, options] = Keystore.pbkdf2({ password: 'correct horse', iterations: 1024 });
    writeFileSync(keystoreFile, JSON.stringify(Keystore.encrypt(key, derived, options)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('uses --key, with or without 0x, before anything in the environment', async () => {
    const env = { SOUK_PRIVATE_KEY: other };
    const resolved = await resolveAccount({ flags: { key }, env, isDevnet: notDevnet });
    assert.equal(resolved.account.address, address);
    assert.equal(resolved.source, 'key');
    assert.equal(
      (await resolveAccount({ flags: { key: key.slice(2) }, env, isDevnet: notDevnet })).account.address,
      address,
    );
  });

  test('uses SOUK_PRIVATE_KEY when no flag is given, off the devnet too', async () => {
    const resolved = await resolveAccount({ flags: {}, env: { SOUK_PRIVATE_KEY: key }, isDevnet: notDevnet });
    assert.equal(resolved.account.address, address);
  });

  test('decrypts a keystore with SOUK_KEYSTORE_PASSWORD, from --keystore or SOUK_KEYSTORE', async () => {
    const env = { SOUK_KEYSTORE_PASSWORD: 'correct horse' };
    const fromFlag = await resolveAccount({ flags: { keystore: keystoreFile }, env, isDevnet: notDevnet });
    assert.equal(fromFlag.account.address, address);
    assert.equal(fromFlag.source, 'keystore');
    const fromEnv = await resolveAccount({
      flags: {},
      env: { ...env, SOUK_KEYSTORE: keystoreFile },
      isDevnet: notDevnet,
    });
    assert.equal(fromEnv.account.address, address);
  });

  test('refuses a keystore without a password (usage) or with a wrong one (failure)', async () => {
    await assert.rejects(
      resolveAccount({ flags: { keystore: keystoreFile }, env: {}, isDevnet: notDevnet }),
      usage(/Set SOUK_KEYSTORE_PASSWORD/),
    );
    await assert.rejects(
      resolveAccount({
        flags: { keystore: keystoreFile },
        env: { SOUK_KEYSTORE_PASSWORD: 'wrong' },
        isDevnet: notDevnet,
      }),
      (error: unknown) =>
        !(error instanceof UsageError) && /wrong password or damaged file/.test((error as Error).message),
    );
    await assert.rejects(
      resolveAccount({
        flags: { keystore: path.join(dir, 'missing.json') },
        env: { SOUK_KEYSTORE_PASSWORD: 'x' },
        isDevnet: notDevnet,
      }),
      /Cannot read the keystore/,
    );
  });

  test('falls back to dev account 1 on the devnet, or the --account index', async () => {
    const accounts = devAccounts(4);
    const fallback = await resolveAccount({ flags: {}, env: {}, isDevnet: devnet });
    assert.equal(fallback.account.address, accounts[1].address);
    assert.equal(fallback.source, 'devnet');
    assert.equal(fallback.devIndex, 1);
    const third = await resolveAccount({ flags: { account: '3' }, env: { SOUK_PRIVATE_KEY: key }, isDevnet: devnet });
    assert.equal(third.account.address, accounts[3].address, '--account beats SOUK_PRIVATE_KEY');
  });

  test('refuses dev accounts off the devnet, bad indexes, malformed keys and two account flags at once', async () => {
    await assert.rejects(resolveAccount({ flags: {}, env: {}, isDevnet: notDevnet }), usage(/not on the devnet/));
    await assert.rejects(
      resolveAccount({ flags: { account: '2' }, env: {}, isDevnet: notDevnet }),
      usage(/only on the devnet/),
    );
    await assert.rejects(resolveAccount({ flags: { account: '10' }, env: {}, isDevnet: devnet }), usage(/0\.\.9/));
    await assert.rejects(resolveAccount({ flags: { account: 'one' }, env: {}, isDevnet: devnet }), usage(/0\.\.9/));
    await assert.rejects(resolveAccount({ flags: { key: '0x1234' }, env: {}, isDevnet: devnet }), usage(/64 digits/));
    await assert.rejects(
      resolveAccount({ flags: {}, env: { SOUK_PRIVATE_KEY: 'nope' }, isDevnet: devnet }),
      usage(/SOUK_PRIVATE_KEY: a private key/),
    );
    await assert.rejects(
      resolveAccount({ flags: { key, account: '2' }, env: {}, isDevnet: devnet }),
      usage(/Give only one of --key, --account/),
    );
  });

  test('asks whether the node is a devnet only when it needs a dev account', async () => {
    let asked = 0;
    const isDevnet = async () => {
      asked++;
      return true;
    };
    await resolveAccount({ flags: { key }, env: {}, isDevnet });
    assert.equal(asked, 0);
    await resolveAccount({ flags: {}, env: {}, isDevnet });
    assert.equal(asked, 1);
  });
});
