// Dynamic client registration (RFC 7591) with oauth4webapi's client, then a code flow with the registered client
// through openid-client; client configuration (RFC 7592) read, update and delete with the registration access token;
// refusals with RFC 7591 §3.2.2 errors. bin/interop-rp runs the server with registration on in its default mode,
// initial access tokens, minted here through the admin API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import {
  client, codeFlow, initialAccessToken, issuer, redact, sharedUser, verifyAccessToken, verifyIdToken,
} from './support.mjs';

const REDIRECT = 'http://127.0.0.1:8086/callback';

async function authorizationServer() {
  const url = new URL(issuer);
  const response = await oauth.discoveryRequest(url, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true });
  return oauth.processDiscoveryResponse(url, response);
}

async function register(as, metadata, token) {
  const response = await oauth.dynamicClientRegistrationRequest(as, metadata, {
    initialAccessToken: token,
    [oauth.allowInsecureRequests]: true,
  });
  return oauth.processDynamicClientRegistrationResponse(response);
}

async function configuration(method, uri, token, body) {
  const res = await fetch(uri, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, body: text };
}

test('RFC 8414 metadata names the registration endpoint', async () => {
  const as = await authorizationServer();
  assert.equal(as.registration_endpoint, `${issuer}/oauth2/register`);
});

test('oauth4webapi registers a public client with an initial access token, then code + PKCE with openid-client', async () => {
  const as = await authorizationServer();
  const registered = await register(
    as,
    {
      client_name: 'RP suite registered client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile',
    },
    await initialAccessToken(),
  );
  assert.ok(registered.client_id, 'client_id');
  assert.equal(registered.client_secret, undefined);
  assert.equal(registered.registration_client_uri, `${issuer}/oauth2/register/${registered.client_id}`);
  assert.ok(registered.registration_access_token, 'registration_access_token');

  const config = await client.discovery(new URL(issuer), registered.client_id, {}, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri: REDIRECT, scope: 'openid profile' });
  assert.equal(tokens.claims().sub, user.username);
  assert.equal((await verifyIdToken(tokens.id_token, registered.client_id)).aud, registered.client_id);
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.client_id, registered.client_id);
});

test('a confidential client gets its secret once, and its registration is read, updated and deleted (RFC 7592)', async () => {
  const as = await authorizationServer();
  const registered = await register(
    as,
    { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic', scope: 'openid' },
    await initialAccessToken(),
  );
  assert.ok(registered.client_secret, 'client_secret');
  assert.equal(registered.client_secret_expires_at, 0);
  const uri = registered.registration_client_uri;

  const read = await configuration('GET', uri, registered.registration_access_token);
  assert.equal(read.status, 200, redact(read.body));
  assert.equal(read.json.client_id, registered.client_id);
  assert.equal(read.json.client_secret, undefined, 'the secret is never shown again');
  const stale = await configuration('GET', uri, registered.registration_access_token);
  assert.equal(stale.status, 401, 'the registration access token rotates on every read');

  const updated = await configuration('PUT', uri, read.json.registration_access_token, {
    client_id: registered.client_id,
    client_name: 'renamed',
    redirect_uris: [REDIRECT, 'http://[::1]:8086/callback'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'openid',
  });
  assert.equal(updated.status, 200, redact(updated.body));
  assert.equal(updated.json.client_name, 'renamed');
  assert.equal(updated.json.redirect_uris.length, 2);

  const deleted = await configuration('DELETE', uri, updated.json.registration_access_token);
  assert.equal(deleted.status, 204);
  assert.equal((await configuration('GET', uri, updated.json.registration_access_token)).status, 401);
});

test('refusals: no initial access token, a javascript: or wildcard redirect URI, a scope beyond the policy', async () => {
  const as = await authorizationServer();
  await assert.rejects(register(as, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }, undefined),
    (e) => e instanceof oauth.WWWAuthenticateChallengeError || e.error === 'invalid_token');
  const token = await initialAccessToken({ maxUses: 5 });
  for (const uri of ['javascript:alert(1)', 'https://*.example.com/cb']) {
    await assert.rejects(
      register(as, { redirect_uris: [uri], token_endpoint_auth_method: 'none' }, token),
      (e) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_redirect_uri',
    );
  }
  await assert.rejects(
    register(as, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', scope: 'openid admin' }, token),
    (e) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_client_metadata',
  );
});
