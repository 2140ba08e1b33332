// OpenID Connect Back-Channel Logout 1.0 seen from a relying party: a node http server on 127.0.0.1 is the client's
// backchannel_logout_uri; the logout token it receives is verified with jose against the server's JWKS (typ
// logout+jwt, §2.4 claims), and its sid and sub are those of the ID token openid-client got. bin/interop-rp runs the
// server with a short outbox poll, so deliveries arrive within the test's bounded wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as jose from 'jose';
import {
  adminPost, Browser, client, codeFlow, form, fields, issuer, newClient, newUser, rp,
} from './support.mjs';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/oauth2/jwks`));

/** A relying party's back-channel endpoint: resolves next() with each logout_token posted to it. */
async function endpoint() {
  const waiting = [];
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      res.writeHead(200, { 'Cache-Control': 'no-store' }).end();
      const w = waiting.shift();
      if (w) w(token); else received.push(token);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `http://127.0.0.1:${server.address().port}/logout/back-channel`,
    next(ms = 15000) {
      if (received.length > 0) return Promise.resolve(received.shift());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no logout token within ' + ms + ' ms')), ms);
        waiting.push((token) => { clearTimeout(t); resolve(token); });
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function signedIn(backchannelLogoutUri) {
  const c = await newClient({ backchannelLogoutUri });
  const config = await rp(c.clientId, c.clientSecret);
  const user = await newUser();
  const { tokens, browser } = await codeFlow(config, user, { redirectUri: c.redirectUri, scope: 'openid' });
  return { ...c, user, browser, idToken: tokens.claims() };
}

async function verifyLogoutToken(token, clientId, idToken) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
    issuer, audience: clientId, typ: 'logout+jwt', requiredClaims: ['iat', 'exp', 'jti', 'sid', 'events'],
  });
  assert.equal(protectedHeader.typ, 'logout+jwt');
  assert.deepEqual(payload.events, { [EVENT]: {} });
  assert.equal(payload.nonce, undefined, 'a logout token must not carry nonce (§2.4)');
  assert.equal(payload.sid, idToken.sid);
  assert.equal(payload.sub, idToken.sub);
  return payload;
}

async function signOut(browser) {
  const page = await browser.get('/logout');
  assert.equal(page.status, 200);
  const f = form(page.body, (x) => x.method === 'POST', 'sign-out form');
  const r = await browser.post('/logout', fields(f));
  assert.equal(r.status, 302);
  return r;
}

test('discovery says back-channel logout with sid is supported', async () => {
  const r = await fetch(`${issuer}/.well-known/openid-configuration`);
  const doc = await r.json();
  assert.equal(doc.backchannel_logout_supported, true);
  assert.equal(doc.backchannel_logout_session_supported, true);
});

test('POST /logout: the relying party receives a logout token naming the ID token\'s sid and sub', async () => {
  const rpEndpoint = await endpoint();
  try {
    const { clientId, browser, idToken } = await signedIn(rpEndpoint.uri);
    assert.equal(typeof idToken.sid, 'string');
    await signOut(browser);
    const payload = await verifyLogoutToken(await rpEndpoint.next(), clientId, idToken);
    assert.ok(payload.exp > payload.iat);
  } finally {
    await rpEndpoint.close();
  }
});

test('an operator disables the user: the relying party receives a logout token', async () => {
  const rpEndpoint = await endpoint();
  try {
    const { clientId, user, idToken } = await signedIn(rpEndpoint.uri);
    await adminPost(`/admin/users/${encodeURIComponent(user.username)}/disable`, {});
    await verifyLogoutToken(await rpEndpoint.next(), clientId, idToken);
  } finally {
    await rpEndpoint.close();
  }
});

test('RP-initiated logout built by openid-client: the relying party receives a logout token', async () => {
  const rpEndpoint = await endpoint();
  try {
    const c = await newClient({ backchannelLogoutUri: rpEndpoint.uri });
    const config = await rp(c.clientId, c.clientSecret);
    const { tokens, browser } = await codeFlow(config, await newUser(), { redirectUri: c.redirectUri, scope: 'openid' });
    const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token });
    let r = await browser.get(logout.href);
    if (r.status === 200) {
      const f = form(r.body, (x) => x.method === 'POST', 'logout confirmation');
      r = await browser.post(new URL(f.action || logout.pathname, logout), fields(f));
    }
    assert.equal(r.status, 302);
    await verifyLogoutToken(await rpEndpoint.next(), c.clientId, tokens.claims());
  } finally {
    await rpEndpoint.close();
  }
});

test('a relying party whose endpoint is down: the user\'s logout still completes at once', async () => {
  const rpEndpoint = await endpoint();
  const uri = rpEndpoint.uri;
  await rpEndpoint.close(); // the port is closed now
  const { browser } = await signedIn(uri);
  const r = await signOut(browser);
  assert.ok(r.location.endsWith('/login?logout'), r.location);
  // Signed out: the account page asks to sign in again.
  const account = await browser.get('/account');
  assert.equal(account.status, 302);
  assert.ok(account.location.endsWith('/login'), account.location);
});
