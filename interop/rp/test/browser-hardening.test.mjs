// What a browser sees: the session cookie and page headers (issue #13 item 16), error pages (item 17) and bad
// redirect URIs at the authorization endpoint (item 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, client, get, issuer, login, newClient, rp, sharedUser } from './support.mjs';

const BAD_REDIRECTS = ['http://127.0.0.1:/cb', 'http://127.0.0.1:2147483648/cb', 'http://[::1]:/x'];

async function authorizeUrl(redirectUri, clientId) {
  const c = clientId ? { clientId } : await newClient();
  const config = await rp(c.clientId, c.clientSecret);
  return client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid', state: 'hardening',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
}

test('#13 item 16: the session cookie is HttpOnly and SameSite=Lax', async () => {
  const browser = new Browser();
  const page = await browser.get('/login');
  assert.equal(page.status, 200);
  assert.ok(browser.setCookies.length > 0, 'no session cookie on the sign-in page');
  for (const cookie of browser.setCookies) {
    const name = cookie.slice(0, cookie.indexOf('='));
    const attributes = cookie.slice(cookie.indexOf(';')); // not the session id itself
    assert.match(attributes, /;\s*HttpOnly/i, name);
    assert.match(attributes, /;\s*SameSite=Lax/i, name);
  }
});

test('#13 item 16: pages carry Referrer-Policy and Permissions-Policy', async () => {
  const page = await new Browser().get('/login');
  assert.ok(page.headers.get('referrer-policy'), 'no Referrer-Policy');
  assert.ok(page.headers.get('permissions-policy'), 'no Permissions-Policy');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
});

for (const redirect of BAD_REDIRECTS) {
  test(`#13 item 6: the authorization endpoint answers redirect_uri ${redirect} with 400, not 500`, async () => {
    const url = await authorizeUrl(redirect);
    const r = await new Browser().get(url.href);
    assert.equal(r.status, 400, `status ${r.status}`);
    assert.equal(r.location, null, 'never redirect to an invalid redirect URI');
    assert.doesNotMatch(r.body, /Whitelabel|Exception|\tat /);
  });
}

test('#13 item 17: a signed-in browser sent with an unregistered redirect_uri gets a 400 page, never the Whitelabel page', async () => {
  const user = await sharedUser();
  const browser = new Browser();
  await login(browser, user.username, user.password);
  const url = await authorizeUrl('http://127.0.0.1:9/not-registered');
  const r = await browser.get(url.href);
  assert.equal(r.status, 400);
  assert.equal(r.location, null);
  assert.doesNotMatch(r.body, /Whitelabel/i);
});

test('#13 item 17: GET /error is not a 500 and not the Whitelabel page', async () => {
  for (const accept of ['text/html', 'application/json']) {
    const r = await get('/error', { Accept: accept });
    assert.ok(r.status < 500, `${accept}: status ${r.status}`);
    assert.doesNotMatch(r.body, /Whitelabel/i);
  }
});

test('#13 item 17: malformed percent-encoding (%zz) is 400 and not called "request too large"', async () => {
  // Where the parameters are read: the authorization endpoint, device code entry, and the sign-in form's body (its
  // CSRF check reads them). /login?x=… is not the permitted sign-in page and is sent to /login unread.
  for (const path of ['/oauth2/authorize?client_id=%zz', '/oauth2/device_verification?user_code=%zz']) {
    const r = await get(path, { Accept: 'text/html' });
    assert.equal(r.status, 400, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /too large|Whitelabel/i, path);
  }
  const posted = await fetch(new URL('/login', issuer), {
    method: 'POST', redirect: 'manual',
    headers: { Accept: 'text/html', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'username=%zz&password=x',
  });
  assert.equal(posted.status, 400, `POST /login: ${posted.status}`);
  assert.doesNotMatch(await posted.text(), /too large|Whitelabel/i);
});
