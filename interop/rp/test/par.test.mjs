// Pushed authorization requests (RFC 9126) through openid-client, and the refusals of issue #13 items 3, 6, 11 and
// 17 around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  authorize, basic, Browser, client, codeRequest, issuer, login, newClient, postForm, redact, rp, sharedUser,
} from './support.mjs';

const BAD_REDIRECTS = ['http://127.0.0.1:/cb', 'http://127.0.0.1:2147483648/cb', 'http://[::1]:/x'];

async function confidential() {
  const c = await newClient();
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

/** PKCE, state and nonce for a request pushed by openid-client; returns the authorization URL it builds. */
async function pushed(config, redirectUri, extra = {}) {
  const { checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const url = await client.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, checks };
}

test('PAR: openid-client pushes the request, the browser carries only client_id and request_uri, tokens follow', async () => {
  const { clientId, redirectUri, config } = await confidential();
  const { url, checks } = await pushed(config, redirectUri);
  assert.deepEqual([...url.searchParams.keys()].toSorted(), ['client_id', 'request_uri']);
  assert.match(url.searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/);
  const user = await sharedUser();
  const { location } = await authorize(new Browser(), url.href, user);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
  assert.equal(tokens.claims().sub, user.username);
  assert.equal(tokens.claims().aud, clientId);
});

test('PAR: the pushed request answers 201 with request_uri and expires_in (RFC 9126 §2.2)', async () => {
  const { clientId, clientSecret, redirectUri } = await newClient();
  const r = await postForm('/oauth2/par', {
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', state: 's1',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  }, { Authorization: basic(clientId, clientSecret) });
  assert.equal(r.status, 201, redact(r.body));
  assert.match(r.json.request_uri, /^urn:ietf:params:oauth:request_uri:/);
  assert.ok(r.json.expires_in > 0);
});

test('#13 item 11: a wrong secret at the PAR endpoint is 401 invalid_client with WWW-Authenticate', async () => {
  const { clientId, redirectUri } = await newClient();
  const r = await postForm('/oauth2/par', {
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  }, { Authorization: basic(clientId, 'not-the-secret') });
  assert.equal(r.status, 401, redact(r.body));
  assert.equal(r.json.error, 'invalid_client');
  assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
});

for (const redirect of BAD_REDIRECTS) {
  test(`#13 item 6: PAR with redirect_uri ${redirect} is 400 invalid_request, not 500`, async () => {
    const { clientId, clientSecret } = await newClient();
    const r = await postForm('/oauth2/par', {
      response_type: 'code', client_id: clientId, redirect_uri: redirect, scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    }, { Authorization: basic(clientId, clientSecret) });
    assert.equal(r.status, 400, redact(r.body));
    assert.equal(r.json?.error, 'invalid_request');
  });
}

test('#13 item 17: a request_uri used once is refused on reuse without a Whitelabel page', async () => {
  const { redirectUri, config } = await confidential();
  const { url } = await pushed(config, redirectUri);
  const browser = new Browser();
  const { location } = await authorize(browser, url.href, await sharedUser());
  assert.ok(new URL(location).searchParams.has('code'));
  const again = await browser.get(url.href);
  assert.ok(!(again.location ?? '').includes('code='), 'a second code from a used request_uri');
  assert.equal(again.status, 400, again.location ?? redact(again.body));
  assert.doesNotMatch(again.body, /Whitelabel/i);
});

test('#13 item 3: a pushed prompt=login holds even when the request_uri is sent with another prefix (RFC 9126 §4)', async () => {
  const { redirectUri, config } = await confidential();
  const user = await sharedUser();
  const browser = new Browser();
  await login(browser, user.username, user.password);
  const { url } = await pushed(config, redirectUri, { prompt: 'login' });
  const requestUri = url.searchParams.get('request_uri');
  const prefix = 'urn:ietf:params:oauth:request_uri:';
  assert.ok(requestUri.startsWith(prefix));
  // Same length as the real prefix, so Spring Authorization Server's lookup by offset would still find the request.
  url.searchParams.set('request_uri', 'urn:xxxx:params:oauth:request_uri:' + requestUri.slice(prefix.length));
  const r = await browser.get(url.href);
  assert.ok(!(r.location ?? '').startsWith(redirectUri + '?code='), 'a code without the pushed prompt=login');
  if (r.status === 302 && !r.location.startsWith(redirectUri)) {
    assert.equal(new URL(r.location).pathname, '/login', r.location);
  } else if (r.status === 302) {
    assert.ok(new URL(r.location).searchParams.has('error'), r.location);
  } else {
    assert.equal(r.status, 400);
  }
  // And with the genuine prefix the pushed prompt=login sends a signed-in user to sign in again.
  const { url: genuine } = await pushed(config, redirectUri, { prompt: 'login' });
  const back = await browser.get(genuine.href);
  assert.equal(new URL(back.location, issuer).pathname, '/login');
});
