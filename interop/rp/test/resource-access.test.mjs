// Who may look at a token: introspection limited to the token's own client (RFC 7662 §2.1, §4; issue #13 item 8),
// 401 with WWW-Authenticate from the introspection and revocation endpoints (RFC 6749 §5.2; item 11), and UserInfo's
// refusals as a bearer-token resource (RFC 6750 §3, §3.1; item 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, client, codeFlow, get, newClient, postForm, redact, rp, sharedUser } from './support.mjs';

async function confidential(options) {
  const c = await newClient(options);
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

async function userTokens(scope = 'openid profile') {
  const c = await confidential();
  const { tokens } = await codeFlow(c.config, await sharedUser(), { redirectUri: c.redirectUri, scope });
  return { ...c, tokens };
}

function challenge(r) {
  return r.headers.get('www-authenticate') ?? '';
}

test('#13 item 8: a client introspecting another client\'s access token learns only active:false', async () => {
  const { tokens } = await userTokens();
  const other = await confidential({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const answer = await client.tokenIntrospection(other.config, tokens.access_token);
  assert.deepEqual(answer, { active: false });
});

test('#13 item 8: a client introspecting another client\'s refresh token learns only active:false', async () => {
  const { tokens } = await userTokens();
  const other = await confidential({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  assert.deepEqual(await client.tokenIntrospection(other.config, tokens.refresh_token), { active: false });
});

test('introspection by the token\'s own client: active with sub, client_id, scope and exp (RFC 7662 §2.2)', async () => {
  const { tokens, config, clientId } = await userTokens('openid profile');
  const answer = await client.tokenIntrospection(config, tokens.access_token);
  assert.equal(answer.active, true);
  assert.equal(answer.sub, (await sharedUser()).username);
  assert.equal(answer.client_id, clientId);
  assert.ok(answer.exp > Date.now() / 1000);
});

test('#13 item 11: a wrong secret at the introspection endpoint is 401 invalid_client with WWW-Authenticate', async () => {
  const { clientId } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const r = await postForm('/oauth2/introspect', { token: 'anything' }, { Authorization: basic(clientId, 'not-the-secret') });
  assert.equal(r.status, 401, redact(r.body));
  assert.equal(r.json.error, 'invalid_client');
  assert.match(challenge(r), /^Basic\b/i);
});

test('#13 item 11: a wrong secret at the revocation endpoint is 401 invalid_client with WWW-Authenticate', async () => {
  const { clientId } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const r = await postForm('/oauth2/revoke', { token: 'anything' }, { Authorization: basic(clientId, 'not-the-secret') });
  assert.equal(r.status, 401, redact(r.body));
  assert.equal(r.json.error, 'invalid_client');
  assert.match(challenge(r), /^Basic\b/i);
});

test('#13 item 11: UserInfo without a token answers 401 WWW-Authenticate: Bearer to an API client (RFC 6750 §3)', async () => {
  const r = await get('/userinfo', { Accept: 'application/json' });
  assert.equal(r.status, 401, redact(r.body));
  assert.match(challenge(r), /^Bearer\b/);
});

test('#13 item 11: UserInfo without a token answers 401 WWW-Authenticate: Bearer, not a redirect to /login, whatever Accept says', async () => {
  const r = await get('/userinfo', { Accept: 'text/html' });
  assert.equal(r.status, 401, `status ${r.status} ${r.headers.get('location') ?? ''}`);
  assert.match(challenge(r), /^Bearer\b/);
});

test('#13 item 11: UserInfo with a revoked token is 401 with error="invalid_token" in WWW-Authenticate (RFC 6750 §3.1)', async () => {
  const { tokens, config } = await userTokens();
  await client.tokenRevocation(config, tokens.access_token);
  const r = await get('/userinfo', { Authorization: `Bearer ${tokens.access_token}`, Accept: 'application/json' });
  assert.equal(r.status, 401, redact(r.body));
  assert.match(challenge(r), /^Bearer\b/);
  assert.match(challenge(r), /error="invalid_token"/);
});

test('#13 item 11: UserInfo with a token without the openid scope is 403 error="insufficient_scope" (RFC 6750 §3.1)', async () => {
  const { tokens } = await userTokens('api.read');
  const r = await get('/userinfo', { Authorization: `Bearer ${tokens.access_token}`, Accept: 'application/json' });
  assert.equal(r.status, 403, redact(r.body));
  assert.match(challenge(r), /^Bearer\b/);
  assert.match(challenge(r), /error="insufficient_scope"/);
});

test('#13 item 11: a resource_metadata URL named in a UserInfo challenge is a JSON document, not a sign-in redirect (RFC 9728)', async () => {
  const r = await get('/userinfo', { Accept: 'application/json' });
  const named = /resource_metadata="([^"]+)"/.exec(challenge(r))?.[1];
  if (named === undefined) return; // naming none is allowed
  const metadata = await get(named, { Accept: 'application/json' });
  assert.equal(metadata.status, 200, `${named}: ${metadata.status} ${metadata.headers.get('location') ?? ''}`);
  assert.ok(metadata.json?.resource, 'resource');
});
