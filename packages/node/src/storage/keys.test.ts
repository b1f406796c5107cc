import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { KeyUnwrapError, MasterKeyFormatError, MasterKeyPermissionsError } from './errors.ts';
import {
  generateAssetKey,
  loadMasterKey,
  MASTER_KEY_FILE,
  unwrapAssetKey,
  WRAPPED_KEY_SIZE,
  wrapAssetKey,
} from './keys.ts';
import { tempDir } from './testing.ts';

const posix = process.platform !== 'win32';
const dirs: Array<{ remove: () => Promise<void> }> = [];
after(() => Promise.all(dirs.map((d) => d.remove())));
async function dataDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return path.join(dir.path, 'data');
}

describe('loadMasterKey', () => {
  test('creates <dataDir>/master.key: 32 bytes, mode 0600, and leaves no temporary file', async () => {
    const dir = await dataDir();
    const key = await loadMasterKey({ dataDir: dir });
    const file = path.join(dir, MASTER_KEY_FILE);
    const info = await stat(file);
    assert.equal(info.size, 32);
    if (posix) assert.equal(info.mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), [MASTER_KEY_FILE]);
    assert.deepEqual(new Uint8Array(key.export()), new Uint8Array(await readFile(file)));
  });

  test('loads the same key on the next start', async () => {
    const dir = await dataDir();
    const first = await loadMasterKey({ dataDir: dir });
    const second = await loadMasterKey({ dataDir: dir });
    assert.ok(first.equals(second));
  });

  test('gives every concurrent first start the same key', async () => {
    const dir = await dataDir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ dataDir: dir })));
    for (const key of keys) assert.ok(key.equals(keys[0]));
    assert.deepEqual(await readdir(dir), [MASTER_KEY_FILE]);
  });

  test('refuses to start when the key file has mode 0644, saying how to fix it', {
    skip: !posix && 'POSIX modes',
  }, async () => {
    const dir = await dataDir();
    await loadMasterKey({ dataDir: dir });
    const file = path.join(dir, MASTER_KEY_FILE);
    await chmod(file, 0o644);
    await assert.rejects(loadMasterKey({ dataDir: dir }), (err: unknown) => {
      assert.ok(err instanceof MasterKeyPermissionsError);
      assert.equal(err.details.mode, '0644');
      assert.match(err.message, /chmod 600/);
      return true;
    });
    await chmod(file, 0o640);
    await assert.rejects(loadMasterKey({ dataDir: dir }), MasterKeyPermissionsError);
  });

  test('refuses a key file that is not 32 bytes, or is a symbolic link', async () => {
    const dir = await dataDir();
    await loadMasterKey({ dataDir: dir });
    const file = path.join(dir, MASTER_KEY_FILE);
    await writeFile(file, new Uint8Array(31), { mode: 0o600 });
    await assert.rejects(loadMasterKey({ dataDir: dir }), MasterKeyFormatError);
    const linked = await dataDir();
    await mkdir(linked, { recursive: true });
    await symlink(file, path.join(linked, MASTER_KEY_FILE));
    await assert.rejects(loadMasterKey({ dataDir: linked }), (err: unknown) => {
      assert.ok(err instanceof MasterKeyFormatError);
      assert.match(err.message, /symbolic link/);
      return true;
    });
  });

  test('never prints the key bytes', async () => {
    const dir = await dataDir();
    const key = await loadMasterKey({ dataDir: dir });
    const bytes = key.export();
    const printed = inspect(key) + JSON.stringify(key) + String(key);
    assert.ok(!printed.includes(bytes.toString('hex')));
    assert.ok(!printed.includes(bytes.toString('base64')));
  });
});

describe('wrapAssetKey / unwrapAssetKey', () => {
  const master = new Uint8Array(32).fill(7);

  test('round-trips an asset key as 84 base64 characters (61 bytes)', () => {
    const assetKey = generateAssetKey();
    assert.equal(assetKey.length, 32);
    const wrapped = wrapAssetKey(master, assetKey);
    assert.equal(wrapped.length, 84);
    assert.equal(Buffer.from(wrapped, 'base64').length, WRAPPED_KEY_SIZE);
    assert.deepEqual(unwrapAssetKey(master, wrapped), assetKey);
  });

  test('uses a random nonce: wrapping twice gives different strings', () => {
    const assetKey = generateAssetKey();
    assert.notEqual(wrapAssetKey(master, assetKey), wrapAssetKey(master, assetKey));
  });

  test('does not unwrap under another master key, nor modified or malformed input', () => {
    const wrapped = wrapAssetKey(master, generateAssetKey());
    assert.throws(() => unwrapAssetKey(new Uint8Array(32).fill(8), wrapped), KeyUnwrapError);
    const bytes = Buffer.from(wrapped, 'base64');
    bytes[30] ^= 1;
    assert.throws(() => unwrapAssetKey(master, bytes.toString('base64')), KeyUnwrapError);
    assert.throws(() => unwrapAssetKey(master, 'not base64!'), KeyUnwrapError);
    assert.throws(() => unwrapAssetKey(master, Buffer.alloc(40).toString('base64')), KeyUnwrapError);
    const otherVersion = Buffer.from(wrapped, 'base64');
    otherVersion[0] = 2;
    assert.throws(() => unwrapAssetKey(master, otherVersion.toString('base64')), /unsupported version 2/);
  });

  test('keeps keys out of error messages', () => {
    const assetKey = generateAssetKey();
    const wrapped = wrapAssetKey(master, assetKey);
    // assert.throws, not try { …; assert.fail() } catch: a catch-all would swallow the failure of a call that never throws.
    assert.throws(
      () => unwrapAssetKey(new Uint8Array(32), wrapped),
      (err: unknown) => {
        assert.ok(err instanceof KeyUnwrapError);
        assert.match(err.message, /authentication failed/);
        const text = `${err.message} ${JSON.stringify(err.details)} ${String(err.cause)}`;
        assert.ok(!text.includes(Buffer.from(assetKey).toString('hex')));
        assert.ok(!text.includes(Buffer.from(assetKey).toString('base64')));
        assert.ok(!text.includes(Buffer.from(master).toString('hex')));
        return true;
      },
    );
  });
});
