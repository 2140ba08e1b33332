// DPoP-bound tokens (RFC 9449): openid-client's DPoP handle on the token endpoint and at UserInfo, the binding
// (cnf.jkt) checked with jose, and proofs the server must refuse, built by hand with jose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import {
  authorize, basic, Browser, client, codeRequest, get, issuer, newClient, postForm, redact, rp, sharedUser,
  verifyAccessToken,
} from './support.mjs';

async function keyPair() {
  const pair = await client.randomDPoPKeyPair('ES256');
  const jwk = await jose.exportJWK(pair.publicKey);
  return { pair, jwk, jkt: await jose.calculateJwkThumbprint(jwk) };
}

/** A DPoP proof (RFC 9449 §4.2) signed by `pair`, with the claims overridden as given. */
async function proof({ pair, jwk }, claims = {}, header = {}) {
  return new jose.SignJWT({ htm: 'POST', htu: `${issuer}/oauth2/token`, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
    .setIssuedAt()
    .sign(pair.privateKey);
}

test('client credentials with DPoP: token_type DPoP and the access token bound to the key (cnf.jkt)', async () => {
  const { clientId, clientSecret } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const config = await rp(clientId, clientSecret);
  const key = await keyPair();
  const tokens = await client.clientCredentialsGrant(config, { scope: 'api.read' }, { DPoP: client.getDPoPHandle(config, key.pair) });
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  const { payload } = await verifyAccessToken(tokens.access_token);
  assert.equal(payload.cnf?.jkt, key.jkt);
});

test('code + PKCE with DPoP: bound tokens, the refresh keeps the binding, UserInfo accepts the token with a proof', async () => {
  const { redirectUri, clientId, clientSecret } = await newClient();
  const config = await rp(clientId, clientSecret);
  const key = await keyPair();
  const DPoP = client.getDPoPHandle(config, key.pair);
  const user = await sharedUser();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid profile' });
  const { location } = await authorize(new Browser(), url.href, user);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), checks, undefined, { DPoP });
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.cnf?.jkt, key.jkt);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
  assert.equal(refreshed.token_type.toLowerCase(), 'dpop');
  assert.equal((await verifyAccessToken(refreshed.access_token)).payload.cnf?.jkt, key.jkt);

  const info = await client.fetchUserInfo(config, refreshed.access_token, user.username, { DPoP });
  assert.equal(info.sub, user.username);
});

test('a DPoP-bound access token presented as a Bearer token at UserInfo is refused (RFC 9449 §7.2)', async () => {
  const { redirectUri, clientId, clientSecret } = await newClient();
  const config = await rp(clientId, clientSecret);
  const key = await keyPair();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  const tokens = await client.authorizationCodeGrant(config, new URL(location), checks, undefined,
    { DPoP: client.getDPoPHandle(config, key.pair) });
  const r = await get('/userinfo', { Authorization: `Bearer ${tokens.access_token}`, Accept: 'application/json' });
  assert.equal(r.status, 401, redact(r.body));
  assert.ok(r.headers.get('www-authenticate'), 'WWW-Authenticate');
});

test('a DPoP proof for another URL (htu) is refused with invalid_dpop_proof (RFC 9449 §4.3, §5)', async () => {
  const { clientId, clientSecret } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const key = await keyPair();
  const r = await postForm('/oauth2/token', { grant_type: 'client_credentials', scope: 'api.read' }, {
    Authorization: basic(clientId, clientSecret),
    DPoP: await proof(key, { htu: `${issuer}/somewhere-else` }),
  });
  assert.equal(r.status, 400, redact(r.body));
  assert.equal(r.json.error, 'invalid_dpop_proof');
});

test('a DPoP proof with the wrong method (htm) or without typ dpop+jwt is refused with invalid_dpop_proof', async () => {
  const { clientId, clientSecret } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const key = await keyPair();
  for (const bad of [await proof(key, { htm: 'GET' }), await proof(key, {}, { typ: 'JWT' })]) {
    const r = await postForm('/oauth2/token', { grant_type: 'client_credentials', scope: 'api.read' },
      { Authorization: basic(clientId, clientSecret), DPoP: bad });
    assert.equal(r.status, 400, redact(r.body));
    assert.equal(r.json.error, 'invalid_dpop_proof');
  }
});
