// Authorization code + PKCE S256 (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1) with the sign-in done over HTTP and the
// callback validated by openid-client (state, nonce, ID token, RFC 9207 iss); UserInfo; refresh rotation;
// revocation and introspection; the consent page's Cancel (issue #13 item 1) and the PKCE input checks (item 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  authorize, basic, Browser, client, codeFlow, codeRequest, demo, issuer, newClient, postForm, redact, rp, sharedUser,
  SERVICE_CLIENT, SERVICE_REDIRECT, SPA_CLIENT, SPA_REDIRECT, verifyAccessToken, verifyIdToken,
} from './support.mjs';

async function confidential(options) {
  const c = await newClient(options);
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

test('code + PKCE S256, confidential client: openid-client validates the callback; ID token and access token verify against the JWKS', async () => {
  const { clientId, redirectUri, config } = await confidential();
  const user = await sharedUser();
  const { tokens, checks } = await codeFlow(config, user, { redirectUri, scope: 'openid profile api.read' });
  const claims = tokens.claims();
  assert.equal(claims.sub, user.username);
  assert.equal(claims.iss, issuer);
  assert.equal(claims.nonce, checks.expectedNonce);
  const id = await verifyIdToken(tokens.id_token, clientId);
  assert.equal(id.sub, user.username);
  assert.ok(id.auth_time, 'auth_time');
  const { payload } = await verifyAccessToken(tokens.access_token);
  assert.equal(payload.sub, user.username);
  assert.equal(payload.client_id, clientId);
  assert.deepEqual(String(payload.scope).split(' ').toSorted(), ['api.read', 'openid', 'profile']);
  assert.deepEqual(tokens.scope.split(' ').toSorted(), ['api.read', 'openid', 'profile']);
  assert.ok(tokens.refresh_token, 'refresh token');
});

test('code + PKCE S256, public client (no secret): tokens without client authentication', async () => {
  const { clientId, redirectUri } = await newClient({ type: 'public', grantTypes: ['authorization_code'] });
  const config = await rp(clientId);
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri, scope: 'openid' });
  assert.equal(tokens.claims().sub, user.username);
  assert.equal((await verifyIdToken(tokens.id_token, clientId)).aud, clientId);
});

test('code + PKCE S256 with the demo SPA client as shipped (public, its registered redirect URI)', async () => {
  const config = await rp(SPA_CLIENT);
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri: SPA_REDIRECT, scope: 'openid profile api.read' });
  assert.equal(tokens.claims().sub, user.username);
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.client_id, SPA_CLIENT);
});

test('UserInfo (OIDC Core §5.3) through openid-client: the signed-in user, subject checked', async () => {
  const { redirectUri, config } = await confidential();
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri, scope: 'openid profile' });
  const info = await client.fetchUserInfo(config, tokens.access_token, user.username);
  assert.equal(info.sub, user.username);
});

test('#13 item 12: the authorization response carries iss, the issuer (RFC 9207 §2)', async () => {
  const { redirectUri, config } = await confidential();
  const user = await sharedUser();
  const { location } = await codeFlow(config, user, { redirectUri, scope: 'openid' });
  assert.equal(new URL(location).searchParams.get('iss'), issuer);
});

test('refresh rotation: a new refresh token each time; the old one is refused with invalid_grant, and its reuse ends the family', async () => {
  const { redirectUri, config } = await confidential();
  const { tokens } = await codeFlow(config, await sharedUser(), { redirectUri, scope: 'openid api.read' });
  const first = tokens.refresh_token;
  const refreshed = await client.refreshTokenGrant(config, first);
  assert.ok(refreshed.access_token);
  assert.ok(refreshed.refresh_token && refreshed.refresh_token !== first, 'rotated');
  await assert.rejects(client.refreshTokenGrant(config, first), (e) => {
    assert.ok(e instanceof client.ResponseBodyError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.error, 'invalid_grant');
    return true;
  });
  // RFC 9700 §4.14.2: a replayed refresh token revokes the tokens issued from it.
  await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');
});

test('revocation (RFC 7009) and introspection (RFC 7662): active, then inactive once revoked', async () => {
  const { redirectUri, config } = await confidential();
  const { tokens } = await codeFlow(config, await sharedUser(), { redirectUri, scope: 'openid api.read' });
  const active = await client.tokenIntrospection(config, tokens.access_token);
  assert.equal(active.active, true);
  assert.equal(active.token_type?.toLowerCase(), 'bearer');
  assert.ok(String(active.scope).split(' ').includes('api.read'));

  await client.tokenRevocation(config, tokens.refresh_token);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  await client.tokenRevocation(config, tokens.access_token);
  assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
  // Revoking an unknown token is not an error (RFC 7009 §2.2).
  await client.tokenRevocation(config, 'not-a-token-this-server-issued');
});

test('consent: a scope left unchecked is not granted, and the token response says which scopes were (RFC 6749 §5.1)', async () => {
  const { redirectUri, config } = await confidential({ requireConsent: true });
  const user = await sharedUser();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid profile api.read' });
  const { location, consentPage } = await authorize(new Browser(), url.href, user, { consent: ['profile'] });
  assert.ok(consentPage, 'the consent page was shown');
  const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
  assert.deepEqual(tokens.scope.split(' ').toSorted(), ['openid', 'profile']);
  const { payload } = await verifyAccessToken(tokens.access_token);
  assert.ok(!String(payload.scope).split(' ').includes('api.read'));
});

test('#13 item 1: Cancel on the consent page after an earlier consent is access_denied at the redirect URI and no code', async () => {
  // The demo service client asks for consent (bin/interop-rp starts the server with demo-require-consent).
  const config = await rp(SERVICE_CLIENT, demo.serviceSecret);
  const browser = new Browser();
  const allowed = await codeFlow(config, demo, { browser, redirectUri: SERVICE_REDIRECT, scope: 'openid profile api.read' });
  assert.deepEqual(allowed.tokens.scope.split(' ').toSorted(), ['api.read', 'openid', 'profile']);

  const { url, checks } = await codeRequest(config, { redirectUri: SERVICE_REDIRECT, scope: 'api.write' });
  const { location, consentPage } = await authorize(browser, url.href, demo, { consent: 'cancel' });
  assert.ok(consentPage, 'the consent page was shown for the new scope');
  assert.ok(location.startsWith(SERVICE_REDIRECT + '?'), location);
  const q = new URL(location).searchParams;
  assert.ok(!q.has('code'), 'a code was issued after Cancel');
  assert.equal(q.get('error'), 'access_denied');
  assert.equal(q.get('state'), checks.expectedState);
});

test('#13 item 7: a code_verifier shorter than 43 characters is refused at the token endpoint (RFC 7636 §4.1)', async () => {
  const { clientId, clientSecret, redirectUri, config } = await confidential();
  const verifier = 'abc';
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid', state: 's-short-verifier',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  const code = new URL(location).searchParams.get('code');
  if (code === null) {
    // Refusing the request at the authorization endpoint is as good: no code for a weak verifier.
    assert.equal(new URL(location).searchParams.get('error'), 'invalid_request');
    return;
  }
  const r = await postForm('/oauth2/token',
    { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
    { Authorization: basic(clientId, clientSecret) });
  assert.ok(!r.json?.access_token, 'a token was issued for a 3-character verifier');
  assert.equal(r.status, 400, redact(r.body));
  // RFC 7636 §4.6 answers a failed verification with invalid_grant; a malformed verifier may be invalid_request.
  assert.ok(['invalid_grant', 'invalid_request'].includes(r.json.error), r.json.error);
});

test('#13 item 7: a code_challenge shorter than 43 characters is refused with invalid_request at the redirect URI', async () => {
  const { redirectUri, config } = await confidential();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid', state: 's-short-challenge', code_challenge: 'x', code_challenge_method: 'S256',
  });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  const q = new URL(location).searchParams;
  assert.ok(!q.has('code'), 'a code was issued for a 1-character challenge');
  assert.equal(q.get('error'), 'invalid_request');
  assert.equal(q.get('state'), 's-short-challenge');
});

test('a wrong code_verifier is refused with invalid_grant (RFC 7636 §4.6)', async () => {
  const { redirectUri, config } = await confidential();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  await assert.rejects(
    client.authorizationCodeGrant(config, new URL(location), { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() }),
    (e) => e instanceof client.ResponseBodyError && e.status === 400 && e.error === 'invalid_grant',
  );
});
