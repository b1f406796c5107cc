import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Fastify from 'fastify';
import problem from './problem.ts';
import webApp from './webApp.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'souk-web-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function server(root: string) {
  const app = Fastify();
  await app.register(problem);
  app.get('/api/v1/known', async () => ({ ok: true }));
  await app.register(webApp, { root });
  return app;
}

test('serves the built app, falls back to index.html for page navigations, keeps API 404s as problems', async () => {
  const root = path.join(dir, 'dist');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Souk</title>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  const app = await server(root);
  const html = { accept: 'text/html,application/xhtml+xml' };
  const home = await app.inject({ url: '/', headers: html });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /<title>Souk/);
  const js = await app.inject({ url: '/assets/app.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /javascript/);
  const page = await app.inject({ url: '/assets/7', headers: html });
  assert.equal(page.statusCode, 200, 'a client-side route gets the app');
  assert.match(page.body, /<title>Souk/);
  const api = await app.inject({ url: '/api/v1/nope', headers: html });
  assert.equal(api.statusCode, 404);
  assert.match(api.headers['content-type'] as string, /application\/problem\+json/);
  const missingFile = await app.inject({ url: '/assets/missing.js', headers: { accept: '*/*' } });
  assert.equal(missingFile.statusCode, 404);
  assert.equal((await app.inject({ url: '/api/v1/known' })).json().ok, true);
  await app.close();
});

test('without a build, / says how to build the app', async () => {
  const app = await server(path.join(dir, 'absent'));
  const home = await app.inject({ url: '/' });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /npm run build -w @souk\/web/);
  await app.close();
});
