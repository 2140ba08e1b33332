// client_secret_jwt client authentication (RFC 7523 §2.2, OpenID Connect Core 1.0 §9, draft-ietf-oauth-rfc7523bis):
// a client that opted in through the admin API (or dynamic registration) authenticates with an HMAC assertion keyed
// with its secret: oauth4webapi's and openid-client's ClientSecretJwt (HS256, aud = the issuer) and jose for HS384 and
// HS512. A replayed assertion, a wrong secret, alg none, an asymmetric alg, a MAC that does not match its alg, and the
// secret sent by another method are refused with 401 invalid_client (RFC 6749 §5.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';
import {
  basic, client, codeFlow, initialAccessToken, issuer, newClient, postForm, redact, sharedUser, verifyAccessToken,
} from './support.mjs';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const options = { [oauth.allowInsecureRequests]: true };

async function authorizationServer() {
  const res = await oauth.discoveryRequest(new URL(issuer), options);
  return oauth.processDiscoveryResponse(new URL(issuer), res);
}

/** A client credentials request with this assertion: status and JSON. */
function withAssertion(clientId, assertion, scope = 'api.read') {
  return postForm('/oauth2/token', {
    grant_type: 'client_credentials', scope,
    client_id: clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion,
  });
}

function claims(clientId, extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: clientId, sub: clientId, aud: issuer, jti: randomUUID(), iat: now, exp: now + 60, ...extra };
}

function refused(r, what) {
  assert.equal(r.status, 401, `${what}: ${redact(r.body)}`);
  assert.equal(r.json.error, 'invalid_client', what);
  assert.equal(r.json.access_token, undefined, what);
}

test('discovery advertises client_secret_jwt with HS256, HS384 and HS512', async () => {
  const as = await authorizationServer();
  for (const endpoint of ['token', 'introspection', 'revocation']) {
    assert.ok(as[`${endpoint}_endpoint_auth_methods_supported`].includes('client_secret_jwt'), endpoint);
    const algs = as[`${endpoint}_endpoint_auth_signing_alg_values_supported`];
    for (const alg of ['HS256', 'HS384', 'HS512']) assert.ok(algs.includes(alg), `${endpoint} ${alg}`);
    assert.ok(!algs.includes('none'), endpoint);
  }
  // Request objects (RFC 9101) stay asymmetric.
  assert.ok(!as.request_object_signing_alg_values_supported.some((alg) => alg.startsWith('HS')));
});

test('oauth4webapi ClientSecretJwt: client credentials; the captured assertion replayed is 401 invalid_client', async () => {
  const c = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'], clientSecretJwt: true });
  assert.ok(Buffer.byteLength(c.clientSecret) >= 64, 'the secret is long enough for HS512 (RFC 7518 §3.2)');
  const as = await authorizationServer();
  let sent;
  const res = await oauth.clientCredentialsGrantRequest(
    as, { client_id: c.clientId }, oauth.ClientSecretJwt(c.clientSecret),
    new URLSearchParams({ scope: 'api.read' }),
    {
      ...options,
      [oauth.customFetch]: (url, init) => {
        sent = new URLSearchParams(init.body.toString());
        return fetch(url, init);
      },
    },
  );
  const tokens = await oauth.processClientCredentialsResponse(as, { client_id: c.clientId }, res);
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.client_id, c.clientId);
  assert.equal(jose.decodeProtectedHeader(sent.get('client_assertion')).alg, 'HS256');
  assert.equal(jose.decodeJwt(sent.get('client_assertion')).aud, issuer, 'oauth4webapi sends the issuer as aud');

  refused(await postForm('/oauth2/token', Object.fromEntries(sent)), 'the replayed assertion');
});

test('jose HS384 and HS512 assertions keyed with the secret are accepted', async () => {
  const c = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'], clientSecretJwt: true });
  const key = new TextEncoder().encode(c.clientSecret);
  for (const alg of ['HS384', 'HS512']) {
    const assertion = await new jose.SignJWT(claims(c.clientId)).setProtectedHeader({ alg }).sign(key);
    const r = await withAssertion(c.clientId, assertion);
    assert.equal(r.status, 200, `${alg}: ${redact(r.body)}`);
    assert.equal((await verifyAccessToken(r.json.access_token)).payload.client_id, c.clientId);
  }
});

test('a wrong secret, alg none, ES256, a MAC not of its alg, or the token endpoint as aud is 401 invalid_client', async () => {
  const c = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'], clientSecretJwt: true });
  const key = new TextEncoder().encode(c.clientSecret);
  const { privateKey } = await jose.generateKeyPair('ES256');
  const as = await authorizationServer();
  let mislabelled;
  // oauth4webapi MACs with SHA-256 whatever the header says: labelled HS512, it does not verify.
  await oauth.clientCredentialsGrantRequest(
    as, { client_id: c.clientId },
    oauth.ClientSecretJwt(c.clientSecret, { [oauth.modifyAssertion]: (header) => { header.alg = 'HS512'; } }),
    new URLSearchParams({ scope: 'api.read' }),
    { ...options, [oauth.customFetch]: (url, init) => {
      mislabelled = new URLSearchParams(init.body.toString()).get('client_assertion');
      return new Response('{}', { status: 400, headers: { 'content-type': 'application/json' } });
    } },
  );
  const assertions = {
    'a wrong secret': await new jose.SignJWT(claims(c.clientId)).setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(`${c.clientSecret}x`)),
    'alg none': new jose.UnsecuredJWT(claims(c.clientId)).encode(),
    ES256: await new jose.SignJWT(claims(c.clientId)).setProtectedHeader({ alg: 'ES256' }).sign(privateKey),
    'HS512 label on an HS256 MAC': mislabelled,
    'the token endpoint as aud': await new jose.SignJWT(claims(c.clientId, { aud: `${issuer}/oauth2/token` }))
      .setProtectedHeader({ alg: 'HS256' }).sign(key),
    expired: await new jose.SignJWT(claims(c.clientId, { iat: 1, exp: 2 })).setProtectedHeader({ alg: 'HS256' }).sign(key),
  };
  for (const [what, assertion] of Object.entries(assertions)) {
    refused(await withAssertion(c.clientId, assertion), what);
  }
  // RFC 7591 §2: the registered method binds; the secret in Basic or in the body is refused.
  refused(await postForm('/oauth2/token', { grant_type: 'client_credentials', scope: 'api.read' },
    { Authorization: basic(c.clientId, c.clientSecret) }), 'client_secret_basic');
  refused(await postForm('/oauth2/token', {
    grant_type: 'client_credentials', scope: 'api.read', client_id: c.clientId, client_secret: c.clientSecret,
  }), 'client_secret_post');
  // And a client_secret_basic client cannot switch to an assertion keyed with its secret.
  const b = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  refused(await withAssertion(b.clientId, await new jose.SignJWT(claims(b.clientId))
    .setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(b.clientSecret))), 'a basic client');
});

test('openid-client ClientSecretJwt: code + PKCE, refresh and introspection', async () => {
  const c = await newClient({ clientSecretJwt: true });
  const config = await client.discovery(
    new URL(issuer), c.clientId, {}, client.ClientSecretJwt(c.clientSecret),
    { execute: [client.allowInsecureRequests] },
  );
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri: c.redirectUri, scope: 'openid profile' });
  assert.equal(tokens.claims().sub, user.username);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const introspected = await client.tokenIntrospection(config, refreshed.access_token);
  assert.equal(introspected.active, true);
  assert.equal(introspected.client_id, c.clientId);
});

test('dynamic registration (RFC 7591) of a client_secret_jwt client, then code + PKCE with openid-client', async () => {
  const as = await authorizationServer();
  const redirectUri = 'http://127.0.0.1:8088/cb';
  const response = await oauth.dynamicClientRegistrationRequest(as, {
    client_name: 'RP suite client_secret_jwt client',
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'client_secret_jwt',
    scope: 'openid profile',
  }, { initialAccessToken: await initialAccessToken(), ...options });
  const registered = await oauth.processDynamicClientRegistrationResponse(response);
  assert.equal(registered.token_endpoint_auth_method, 'client_secret_jwt');
  assert.match(registered.client_secret, /^[A-Za-z0-9_-]{86}$/, 'the plain secret once, never its hash');

  const config = await client.discovery(
    new URL(issuer), registered.client_id, {}, client.ClientSecretJwt(registered.client_secret),
    { execute: [client.allowInsecureRequests] },
  );
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri, scope: 'openid profile' });
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.client_id, registered.client_id);
});
