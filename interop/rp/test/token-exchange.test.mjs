// Token exchange (RFC 8693) through openid-client's generic grant: a user's access token exchanged by the client it
// was issued to, narrowed, never widened, never another client's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCESS_TOKEN_TYPE, client, codeFlow, newClient, rp, sharedUser, TOKEN_EXCHANGE_GRANT, verifyAccessToken,
} from './support.mjs';

async function exchanger() {
  const c = await newClient({
    grantTypes: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE_GRANT],
    scopes: ['openid', 'api.read', 'api.write'],
  });
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

async function userToken({ config, redirectUri }, scope = 'openid api.read') {
  const { tokens } = await codeFlow(config, await sharedUser(), { redirectUri, scope });
  return tokens.access_token;
}

async function refused(promise, error) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof client.ResponseBodyError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.error, error);
    return true;
  });
}

test('token exchange: the user\'s access token becomes a new access token for the same user (RFC 8693 §2.2.1)', async () => {
  const c = await exchanger();
  const subjectToken = await userToken(c);
  const exchanged = await client.genericGrantRequest(c.config, TOKEN_EXCHANGE_GRANT, {
    subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, scope: 'api.read',
  });
  assert.equal(exchanged.issued_token_type, ACCESS_TOKEN_TYPE);
  assert.equal(exchanged.token_type.toLowerCase(), 'bearer');
  const before = (await verifyAccessToken(subjectToken)).payload;
  const after = (await verifyAccessToken(exchanged.access_token)).payload;
  assert.equal(after.sub, (await sharedUser()).username);
  assert.equal(after.sub, before.sub);
  assert.notEqual(after.jti, before.jti);
  assert.deepEqual(String(after.scope).split(' '), ['api.read']);
});

test('token exchange may not widen the scope of the subject token: invalid_scope', async () => {
  const c = await exchanger();
  const subjectToken = await userToken(c, 'openid api.read');
  await refused(client.genericGrantRequest(c.config, TOKEN_EXCHANGE_GRANT, {
    subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, scope: 'api.write',
  }), 'invalid_scope');
});

test('token exchange of another client\'s token is refused with invalid_request (RFC 8693 §2.2.2)', async () => {
  const owner = await exchanger();
  const other = await exchanger();
  const subjectToken = await userToken(owner);
  await refused(client.genericGrantRequest(other.config, TOKEN_EXCHANGE_GRANT, {
    subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, scope: 'api.read',
  }), 'invalid_request');
});

test('token exchange of a token that is not one of this server\'s is refused with invalid_request', async () => {
  const c = await exchanger();
  await refused(client.genericGrantRequest(c.config, TOKEN_EXCHANGE_GRANT, {
    subject_token: 'not-a-token', subject_token_type: ACCESS_TOKEN_TYPE,
  }), 'invalid_request');
});
