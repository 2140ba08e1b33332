// OpenID Connect session behaviour seen from the relying party: prompt=none (OIDC Core §3.1.2.1, §3.1.2.6),
// max_age and auth_time, and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) built by openid-client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, Browser, client, codeRequest, fields, form, newClient, rp, sharedUser } from './support.mjs';

const POST_LOGOUT = 'http://127.0.0.1:8085/signed-out';

async function oidcClient() {
  const c = await newClient({ postLogoutRedirectUris: [POST_LOGOUT] });
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

test('prompt=none without a session: login_required at the redirect URI with the state, no code', async () => {
  const { config, redirectUri } = await oidcClient();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid', extra: { prompt: 'none' } });
  const r = await new Browser().get(url.href);
  assert.equal(r.status, 302);
  assert.ok(r.location.startsWith(redirectUri + '?'), r.location);
  const q = new URL(r.location).searchParams;
  assert.ok(!q.has('code'), 'a code without a session');
  assert.equal(q.get('error'), 'login_required');
  assert.equal(q.get('state'), checks.expectedState);
});

test('prompt=none with a session: a code at once, redeemed by openid-client; max_age brings auth_time', async () => {
  const { config, redirectUri } = await oidcClient();
  const user = await sharedUser();
  const browser = new Browser();
  const first = await codeRequest(config, { redirectUri, scope: 'openid' });
  await authorize(browser, first.url.href, user);

  const silent = await codeRequest(config, { redirectUri, scope: 'openid', extra: { prompt: 'none', max_age: '3600' } });
  const r = await browser.get(silent.url.href);
  assert.equal(r.status, 302);
  assert.ok(r.location.startsWith(redirectUri + '?'), r.location);
  const tokens = await client.authorizationCodeGrant(config, new URL(r.location), { ...silent.checks, maxAge: 3600 });
  assert.equal(tokens.claims().sub, user.username);
  assert.equal(typeof tokens.claims().auth_time, 'number');
});

test('RP-initiated logout: openid-client\'s end-session URL ends the session and returns to the post-logout URI with the state', async () => {
  const { config, redirectUri } = await oidcClient();
  const user = await sharedUser();
  const browser = new Browser();
  const { url, checks } = await codeRequest(config, { redirectUri, scope: 'openid' });
  const { location } = await authorize(browser, url.href, user);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);

  const logout = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: 'bye',
  });
  let r = await browser.get(logout.href);
  if (r.status === 200) {
    // A confirmation page: press its button (a POST with the CSRF token).
    const f = form(r.body, (x) => x.method === 'POST', 'logout confirmation');
    r = await browser.post(new URL(f.action || logout.pathname, logout), fields(f));
  }
  assert.equal(r.status, 302);
  assert.equal(r.location, `${POST_LOGOUT}?state=bye`);

  // Signed out: the next request is sent to sign in again.
  const again = await codeRequest(config, { redirectUri, scope: 'openid' });
  const back = await browser.get(again.url.href);
  assert.equal(new URL(back.location).pathname, '/login');
});
