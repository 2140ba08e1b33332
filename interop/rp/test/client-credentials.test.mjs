// Client credentials (RFC 6749 §4.4) through openid-client, the access token verified against the JWKS with jose
// (RFC 9068), and client authentication refusals (RFC 6749 §2.3, §5.2; issue #13 items 11 and 15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, redact, client, demo, newClient, postForm, rp, SERVICE_CLIENT, verifyAccessToken } from './support.mjs';

test('client credentials with client_secret_basic: an RFC 9068 access token for the client, verified by the JWKS', async () => {
  const config = await rp(SERVICE_CLIENT, demo.serviceSecret);
  const tokens = await client.clientCredentialsGrant(config, { scope: 'api.read' });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.expires_in > 0);
  assert.equal(tokens.refresh_token, undefined, 'no refresh token for client credentials (RFC 6749 §4.4.3)');
  const { payload } = await verifyAccessToken(tokens.access_token);
  assert.equal(payload.sub, SERVICE_CLIENT);
  assert.equal(payload.client_id, SERVICE_CLIENT);
  assert.deepEqual(String(payload.scope ?? '').split(' '), ['api.read']);
  assert.ok(payload.jti && payload.exp > payload.iat);
});

test('client credentials with client_secret_post through openid-client', async () => {
  const { clientId, clientSecret } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const config = await rp(clientId, clientSecret, { auth: 'post' });
  const tokens = await client.clientCredentialsGrant(config, { scope: 'api.read' });
  const { payload } = await verifyAccessToken(tokens.access_token);
  assert.equal(payload.sub, clientId);
});

test('a scope the client is not registered for is refused with invalid_scope (RFC 6749 §5.2)', async () => {
  const { clientId, clientSecret } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const r = await postForm('/oauth2/token', { grant_type: 'client_credentials', scope: 'api.write' },
    { Authorization: basic(clientId, clientSecret) });
  assert.equal(r.status, 400, redact(r.body));
  assert.equal(r.json.error, 'invalid_scope');
});

test('#13 item 11: a wrong secret at the token endpoint is 401 invalid_client with WWW-Authenticate (RFC 6749 §5.2)', async () => {
  const r = await postForm('/oauth2/token', { grant_type: 'client_credentials' },
    { Authorization: basic(SERVICE_CLIENT, 'not-the-secret') });
  assert.equal(r.status, 401, redact(r.body));
  assert.equal(r.json.error, 'invalid_client');
  assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
  assert.equal(r.json.access_token, undefined);
});

/**
 * RFC 6749 §2.3: one authentication method per request; §5.2 names invalid_request for a request that "utilizes more
 * than one mechanism for authenticating the client". A server that instead fails the client authentication answers
 * 401 invalid_client (with WWW-Authenticate, item 11). Either way: no token.
 */
function assertMixedAuthenticationRefused(r) {
  assert.ok(!r.json?.access_token, 'a token was issued for the Basic client');
  if (r.status === 401) {
    assert.equal(r.json.error, 'invalid_client');
  } else {
    assert.equal(r.status, 400, redact(r.body));
    assert.equal(r.json.error, 'invalid_request');
  }
}

test('#13 item 15: Basic credentials plus another client_id in the body are refused (RFC 6749 §2.3)', async () => {
  const other = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const r = await postForm('/oauth2/token', { grant_type: 'client_credentials', client_id: other.clientId },
    { Authorization: basic(SERVICE_CLIENT, demo.serviceSecret) });
  assertMixedAuthenticationRefused(r);
});

test('#13 item 15: Basic credentials plus a wrong client_secret in the body are refused (one method per request)', async () => {
  const r = await postForm('/oauth2/token',
    { grant_type: 'client_credentials', client_id: SERVICE_CLIENT, client_secret: 'not-the-secret' },
    { Authorization: basic(SERVICE_CLIENT, demo.serviceSecret) });
  assertMixedAuthenticationRefused(r);
});
