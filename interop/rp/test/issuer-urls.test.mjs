// Absolute URLs the server hands out are built from the configured issuer, never from the request's Host header
// (issue #13 item 10): a client or browser that reaches the server under another name must not be sent there.
// fetch() cannot set Host, so these requests go through node:http.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { basic, client, DEVICE_GRANT, issuer, newClient, rp } from './support.mjs';

const FOREIGN_HOST = 'attacker.example';

function raw(method, path, headers, body) {
  const target = new URL(issuer);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: target.port, method, path, headers: { Host: FOREIGN_HOST, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function fromIssuer(url, what) {
  assert.ok(url, `${what} missing`);
  assert.ok(!new URL(url, issuer).host.includes(FOREIGN_HOST), `${what} names the Host header: ${url}`);
  assert.ok(url.startsWith('/') || url.startsWith(issuer), `${what} is not on the issuer: ${url}`);
}

test('#13 item 10: verification_uri and verification_uri_complete come from the issuer whatever Host says', async () => {
  const { clientId, clientSecret } = await newClient({ grantTypes: [DEVICE_GRANT], scopes: ['api.read'], requireConsent: true });
  const r = await raw('POST', '/oauth2/device_authorization', {
    Authorization: basic(clientId, clientSecret),
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  }, 'scope=api.read');
  assert.equal(r.status, 200, `status ${r.status}`);
  const body = JSON.parse(r.body);
  assert.equal(body.verification_uri, `${issuer}/oauth2/device_verification`);
  assert.ok(body.verification_uri_complete.startsWith(`${issuer}/oauth2/device_verification?`), 'verification_uri_complete');
});

test('#13 item 10: the redirect to sign in from the authorization endpoint stays on the issuer whatever Host says', async () => {
  const { clientId, clientSecret, redirectUri } = await newClient();
  const config = await rp(clientId, clientSecret);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid', state: 'host',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const r = await raw('GET', url.pathname + url.search, { Accept: 'text/html' });
  assert.equal(r.status, 302);
  fromIssuer(r.headers.location, 'Location');
});

test('#13 item 10: the admin API\'s OpenAPI document names the issuer as its server whatever Host says', async () => {
  const r = await raw('GET', '/admin/openapi.json', { Accept: 'application/json' });
  assert.equal(r.status, 200, `status ${r.status}`);
  const servers = JSON.parse(r.body).servers ?? [];
  for (const s of servers) fromIssuer(s.url, 'servers[].url');
});
