// Discovery: OpenID Connect Discovery 1.0 §4 and RFC 8414 §3, read by openid-client and checked against what the
// server can actually do (issue #13 items 12 and 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, issuer, rp, SERVICE_CLIENT, demo } from './support.mjs';

// private_key_jwt and client_secret_jwt are registrable (admin API, RFC 7523); mTLS (RFC 8705) is not.
const UNREGISTRABLE_AUTH_METHODS = ['tls_client_auth', 'self_signed_tls_client_auth'];

async function document(path) {
  const r = await get(path, { Accept: 'application/json' });
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  return r.json;
}

test('openid-configuration: openid-client discovers the issuer and every endpoint of this server', async () => {
  const config = await rp(SERVICE_CLIENT, demo.serviceSecret);
  const m = config.serverMetadata();
  assert.equal(m.issuer, issuer);
  for (const [name, path] of Object.entries({
    authorization_endpoint: '/oauth2/authorize',
    token_endpoint: '/oauth2/token',
    jwks_uri: '/oauth2/jwks',
    userinfo_endpoint: '/userinfo',
    revocation_endpoint: '/oauth2/revoke',
    introspection_endpoint: '/oauth2/introspect',
    device_authorization_endpoint: '/oauth2/device_authorization',
    pushed_authorization_request_endpoint: '/oauth2/par',
  })) {
    assert.equal(m[name], issuer + path, name);
  }
  assert.deepEqual(m.response_types_supported, ['code']);
  assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
  assert.ok(m.id_token_signing_alg_values_supported.length > 0);
});

test('oauth-authorization-server (RFC 8414): same issuer and endpoints as the OpenID document', async () => {
  const oidc = await document('/.well-known/openid-configuration');
  const oauth = await document('/.well-known/oauth-authorization-server');
  assert.equal(oauth.issuer, issuer);
  for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'revocation_endpoint', 'introspection_endpoint',
    'device_authorization_endpoint', 'pushed_authorization_request_endpoint']) {
    assert.equal(oauth[name], oidc[name], name);
  }
  assert.deepEqual(oauth.grant_types_supported.toSorted(), oidc.grant_types_supported.toSorted());
});

test('JWKS: public keys only, each with kid, usable for signatures', async () => {
  const jwks = await document('/oauth2/jwks');
  assert.ok(jwks.keys.length > 0);
  for (const k of jwks.keys) {
    assert.ok(k.kid, 'kid');
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!(secret in k), `private part ${secret}`);
  }
});

test('#13 item 12: discovery advertises the iss authorization response parameter (RFC 9207 §3)', async () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    const m = await document(path);
    assert.equal(m.authorization_response_iss_parameter_supported, true, path);
  }
});

test('#13 item 13: discovery advertises no client authentication a client cannot be registered with, and no mTLS', async () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    const m = await document(path);
    for (const field of ['token_endpoint_auth_methods_supported', 'revocation_endpoint_auth_methods_supported',
      'introspection_endpoint_auth_methods_supported']) {
      for (const method of UNREGISTRABLE_AUTH_METHODS) {
        assert.ok(!(m[field] ?? []).includes(method), `${path} ${field} lists ${method}`);
      }
      assert.ok((m[field] ?? []).includes('client_secret_basic'), `${path} ${field} lacks client_secret_basic`);
    }
    assert.ok(!m.tls_client_certificate_bound_access_tokens, `${path} advertises mTLS-bound tokens`);
  }
});

test('#13 item 13: scopes_supported lists the scopes clients are granted, not only openid', async () => {
  const m = await document('/.well-known/openid-configuration');
  assert.ok(m.scopes_supported.includes('openid'));
  assert.ok(m.scopes_supported.includes('profile'), `scopes_supported: ${m.scopes_supported}`);
  assert.ok(m.scopes_supported.length > 1);
});
