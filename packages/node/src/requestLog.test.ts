/**
 * The request log's levels (app.ts `requestLogLevel`): status polls must not bury failures in the default `info`
 * log of `souk start`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestLogLevel } from './app.ts';

test('successful reads such as job and order status polls are logged at debug', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    for (const status of [200, 204, 304]) assert.equal(requestLogLevel(method, status), 'debug', `${method} ${status}`);
  }
});

test('successful writes and refused requests are logged at info', () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) assert.equal(requestLogLevel(method, 201), 'info', method);
  for (const status of [400, 401, 402, 403, 404, 409, 422, 429]) {
    assert.equal(requestLogLevel('GET', status), 'info', `GET ${status}`);
    assert.equal(requestLogLevel('POST', status), 'info', `POST ${status}`);
  }
});

test('server errors are logged at warn, whatever the method', () => {
  for (const method of ['GET', 'POST']) {
    for (const status of [500, 502, 503]) assert.equal(requestLogLevel(method, status), 'warn', `${method} ${status}`);
  }
});
