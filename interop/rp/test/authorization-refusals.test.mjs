// Authorization requests the server must refuse before any sign-in, answered at the client's redirect URI with the
// state (RFC 6749 §4.1.2.1), and token requests it must refuse (RFC 6749 §4.1.3, §5.2). OAuth 2.1: no implicit
// grant, PKCE required, S256 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, basic, Browser, client, codeRequest, newClient, postForm, redact, rp, sharedUser } from './support.mjs';

async function confidential() {
  const c = await newClient();
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

async function refusedAtRedirect(parameters, error) {
  const { clientId, redirectUri } = await newClient();
  const url = new URL('/oauth2/authorize', (await rp(clientId)).serverMetadata().issuer);
  const base = {
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', state: 'refused',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries({ ...base, ...parameters })) {
    if (v !== undefined) url.searchParams.set(k, v);
  }
  const r = await new Browser().get(url.href);
  assert.equal(r.status, 302, `status ${r.status}`);
  assert.ok(r.location.startsWith(redirectUri + '?'), r.location);
  const q = new URL(r.location).searchParams;
  assert.ok(!q.has('code'));
  assert.equal(q.get('error'), error);
  assert.equal(q.get('state'), 'refused');
}

test('#13 item 17: response_type=token (implicit, removed by OAuth 2.1) is refused without a Whitelabel page', async () => {
  const { clientId, redirectUri } = await newClient();
  const url = new URL('/oauth2/authorize', (await rp(clientId)).serverMetadata().issuer);
  url.search = new URLSearchParams({ response_type: 'token', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', state: 'refused' });
  const r = await new Browser().get(url.href);
  if (r.status === 302) {
    // RFC 6749 §4.1.2.1's answer: the error at the registered redirect URI.
    assert.ok(r.location.startsWith(redirectUri + '?'), r.location);
    assert.equal(new URL(r.location).searchParams.get('error'), 'unsupported_response_type');
    assert.ok(!/[?&#](access_token|code)=/.test(r.location));
  } else {
    // Spring Authorization Server does not take response_type=token as an authorization request at all.
    assert.equal(r.status, 400);
    assert.doesNotMatch(r.body, /Whitelabel/i);
  }
});

test('an authorization request without code_challenge is invalid_request (PKCE required)', async () => {
  await refusedAtRedirect({ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request');
});

test('code_challenge_method=plain is invalid_request (S256 only)', async () => {
  await refusedAtRedirect({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request');
});

test('a scope the client is not registered for is invalid_scope at the redirect URI', async () => {
  await refusedAtRedirect({ scope: 'openid admin' }, 'invalid_scope');
});

test('a code redeemed twice is refused the second time with invalid_grant (RFC 6749 §4.1.2)', async () => {
  const { config, redirectUri } = await confidential();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  assert.ok(await client.authorizationCodeGrant(config, new URL(location), checks));
  await assert.rejects(client.authorizationCodeGrant(config, new URL(location), checks),
    (e) => e instanceof client.ResponseBodyError && e.status === 400 && e.error === 'invalid_grant');
});

test('a code redeemed with another redirect_uri than the request\'s is refused with invalid_grant (RFC 6749 §4.1.3)', async () => {
  const { clientId, clientSecret, config, redirectUri } = await confidential();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  const r = await postForm('/oauth2/token', {
    grant_type: 'authorization_code', code: new URL(location).searchParams.get('code'),
    redirect_uri: 'http://127.0.0.1:8085/other', code_verifier: checks.pkceCodeVerifier,
  }, { Authorization: basic(clientId, clientSecret) });
  assert.equal(r.status, 400, redact(r.body));
  assert.equal(r.json.error, 'invalid_grant');
});

test('a code redeemed by another client is refused with invalid_grant', async () => {
  const { config, redirectUri } = await confidential();
  const other = await newClient();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const { location } = await authorize(new Browser(), url.href, await sharedUser());
  const r = await postForm('/oauth2/token', {
    grant_type: 'authorization_code', code: new URL(location).searchParams.get('code'),
    redirect_uri: redirectUri, code_verifier: checks.pkceCodeVerifier,
  }, { Authorization: basic(other.clientId, other.clientSecret) });
  assert.equal(r.status, 400, redact(r.body));
  assert.equal(r.json.error, 'invalid_grant');
});

test('an unsupported grant_type is unsupported_grant_type; a grant the client is not registered for is unauthorized_client', async () => {
  const { clientId, clientSecret } = await newClient();
  const password = await postForm('/oauth2/token', { grant_type: 'password', username: 'x', password: 'y' },
    { Authorization: basic(clientId, clientSecret) });
  assert.equal(password.status, 400, redact(password.body));
  assert.equal(password.json.error, 'unsupported_grant_type');
  const cc = await postForm('/oauth2/token', { grant_type: 'client_credentials' }, { Authorization: basic(clientId, clientSecret) });
  assert.equal(cc.status, 400, redact(cc.body));
  assert.equal(cc.json.error, 'unauthorized_client');
});
