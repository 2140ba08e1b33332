// private_key_jwt client authentication (RFC 7523 §2.2, draft-ietf-oauth-rfc7523bis): a client registered through the
// admin API with its public JWK Set, then client credentials and a code flow where oauth4webapi and openid-client sign
// the assertions (aud = the issuer); a replayed assertion, a wrong key and an HS256 assertion are refused with
// 401 invalid_client (RFC 6749 §5.2), and the replay spends nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as jose from 'jose';
import {
  authorize, Browser, client, codeFlow, initialAccessToken, issuer, newClient, postForm, redact, setClientKeys, sharedUser,
  verifyAccessToken, verifyIdToken,
} from './support.mjs';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A new ES256 key pair; the public half as a JWK with its kid. */
async function keyPair(kid = randomUUID()) {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { key: privateKey, kid, jwk };
}

/** A confidential client switched to private_key_jwt with a fresh key (jwks by value). */
async function keyClient(options) {
  const registered = await newClient(options);
  const pair = await keyPair();
  const r = await setClientKeys(registered.clientId, { jwks: { keys: [pair.jwk] } });
  assert.equal(r.status, 200, redact(r.body));
  assert.deepEqual(r.json.authenticationMethods, ['private_key_jwt']);
  return { ...registered, ...pair };
}

async function authorizationServer() {
  const res = await oauth.discoveryRequest(new URL(issuer), { [oauth.allowInsecureRequests]: true });
  return oauth.processDiscoveryResponse(new URL(issuer), res);
}

test('discovery advertises private_key_jwt with asymmetric signing algorithms (HS* are client_secret_jwt\'s)', async () => {
  const as = await authorizationServer();
  for (const endpoint of ['token', 'introspection', 'revocation']) {
    assert.ok(as[`${endpoint}_endpoint_auth_methods_supported`].includes('private_key_jwt'), endpoint);
    const algs = as[`${endpoint}_endpoint_auth_signing_alg_values_supported`];
    assert.ok(algs.includes('ES256') && algs.includes('RS256'), endpoint);
    assert.ok(!algs.includes('none'), endpoint);
  }
});

test('oauth4webapi PrivateKeyJwt: client credentials; the captured assertion replayed is 401 invalid_client', async () => {
  const c = await keyClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const as = await authorizationServer();
  let sent;
  const options = {
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: (url, init) => {
      sent = new URLSearchParams(init.body.toString());
      return fetch(url, init);
    },
  };
  const res = await oauth.clientCredentialsGrantRequest(
    as, { client_id: c.clientId }, oauth.PrivateKeyJwt({ key: c.key, kid: c.kid }),
    new URLSearchParams({ scope: 'api.read' }), options,
  );
  const tokens = await oauth.processClientCredentialsResponse(as, { client_id: c.clientId }, res);
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.client_id, c.clientId);
  assert.equal(sent.get('client_assertion_type'), ASSERTION_TYPE);
  assert.equal(jose.decodeJwt(sent.get('client_assertion')).aud, issuer, 'oauth4webapi sends the issuer as aud');

  const replay = await postForm('/oauth2/token', Object.fromEntries(sent));
  assert.equal(replay.status, 401, redact(replay.body));
  assert.equal(replay.json.error, 'invalid_client');
  assert.equal(replay.json.access_token, undefined);
});

test('openid-client PrivateKeyJwt: code + PKCE, ID token and refresh, then introspection of its own token', async () => {
  const c = await keyClient();
  const config = await client.discovery(
    new URL(issuer), c.clientId, {}, client.PrivateKeyJwt({ key: c.key, kid: c.kid }),
    { execute: [client.allowInsecureRequests] },
  );
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri: c.redirectUri, scope: 'openid profile' });
  assert.equal(tokens.claims().sub, user.username);
  assert.equal((await verifyIdToken(tokens.id_token, c.clientId)).aud, c.clientId);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token);
  const introspected = await client.tokenIntrospection(config, refreshed.access_token);
  assert.equal(introspected.active, true);
  assert.equal(introspected.client_id, c.clientId);
});

test('an assertion signed by another key, with HS256, or with the token endpoint as aud is 401 invalid_client', async () => {
  const c = await keyClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const other = await keyPair(c.kid);
  const now = Math.floor(Date.now() / 1000);
  const claims = () => ({ iss: c.clientId, sub: c.clientId, aud: issuer, jti: randomUUID(), iat: now, exp: now + 60 });
  const assertions = {
    'another key': await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: c.kid }).sign(other.key),
    HS256: await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32)),
    'the token endpoint as aud': await new jose.SignJWT({ ...claims(), aud: `${issuer}/oauth2/token` })
      .setProtectedHeader({ alg: 'ES256', kid: c.kid }).sign(c.key),
  };
  for (const [what, assertion] of Object.entries(assertions)) {
    const r = await postForm('/oauth2/token', {
      grant_type: 'client_credentials', scope: 'api.read',
      client_id: c.clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion,
    });
    assert.equal(r.status, 401, `${what}: ${redact(r.body)}`);
    assert.equal(r.json.error, 'invalid_client', what);
  }
});

test('the admin API refuses a JWK Set with a private key, and jwks with jwksUri together', async () => {
  const { clientId } = await newClient({ grantTypes: ['client_credentials'], scopes: ['api.read'] });
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const privateJwk = await jose.exportJWK(privateKey);
  const withPrivate = await setClientKeys(clientId, { jwks: { keys: [privateJwk] } });
  assert.equal(withPrivate.status, 400, redact(withPrivate.body));
  assert.ok(!withPrivate.body.includes(privateJwk.d), 'the private member is never echoed');
  const pair = await keyPair();
  const both = await setClientKeys(clientId, { jwks: { keys: [pair.jwk] }, jwksUri: 'https://keys.example/jwks' });
  assert.equal(both.status, 400, redact(both.body));
});

test('dynamic registration (RFC 7591) of a private_key_jwt client with jwks, then code + PKCE with openid-client', async () => {
  const as = await authorizationServer();
  const pair = await keyPair();
  const redirectUri = 'http://127.0.0.1:8087/cb';
  const response = await oauth.dynamicClientRegistrationRequest(as, {
    client_name: 'RP suite private_key_jwt client',
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [pair.jwk] },
    scope: 'openid profile',
  }, { initialAccessToken: await initialAccessToken(), [oauth.allowInsecureRequests]: true });
  const registered = await oauth.processDynamicClientRegistrationResponse(response);
  assert.equal(registered.token_endpoint_auth_method, 'private_key_jwt');
  assert.equal(registered.client_secret, undefined, 'no secret for a client with keys');
  assert.equal(registered.jwks.keys[0].kid, pair.kid);

  const config = await client.discovery(
    new URL(issuer), registered.client_id, {}, client.PrivateKeyJwt({ key: pair.key, kid: pair.kid }),
    { execute: [client.allowInsecureRequests] },
  );
  const user = await sharedUser();
  const { tokens } = await codeFlow(config, user, { redirectUri, scope: 'openid profile' });
  assert.equal((await verifyAccessToken(tokens.access_token)).payload.client_id, registered.client_id);

  // jwks and jwks_uri together, or private_key_jwt without keys: invalid_client_metadata (RFC 7591 §2, §3.2.2).
  for (const metadata of [
    { jwks: { keys: [pair.jwk] }, jwks_uri: 'https://keys.example/jwks' },
    {},
  ]) {
    await assert.rejects(
      oauth.dynamicClientRegistrationRequest(as, {
        redirect_uris: [redirectUri], token_endpoint_auth_method: 'private_key_jwt', ...metadata,
      }, { initialAccessToken: await initialAccessToken(), [oauth.allowInsecureRequests]: true })
        .then((r) => oauth.processDynamicClientRegistrationResponse(r)),
      (e) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_client_metadata',
    );
  }
});

// ------------------------------------------------------------------ signed request objects (JAR, RFC 9101)

test('JAR: oauth4webapi issueRequestObject by value and through PAR with PrivateKeyJwt; codes redeemed by openid-client', async () => {
  const c = await keyClient();
  const as = await authorizationServer();
  const config = await client.discovery(
    new URL(issuer), c.clientId, {}, client.PrivateKeyJwt({ key: c.key, kid: c.kid }),
    { execute: [client.allowInsecureRequests] },
  );
  const user = await sharedUser();
  for (const pushed of [false, true]) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const request = await oauth.issueRequestObject(as, { client_id: c.clientId }, new URLSearchParams({
      response_type: 'code', redirect_uri: c.redirectUri, scope: 'openid profile', state, nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }), { key: c.key, kid: c.kid });
    assert.equal(jose.decodeProtectedHeader(request).typ, 'oauth-authz-req+jwt');
    const url = new URL(as.authorization_endpoint);
    url.searchParams.set('client_id', c.clientId);
    if (pushed) {
      const res = await oauth.pushedAuthorizationRequest(
        as, { client_id: c.clientId }, oauth.PrivateKeyJwt({ key: c.key, kid: c.kid }),
        new URLSearchParams({ request }), { [oauth.allowInsecureRequests]: true },
      );
      const par = await oauth.processPushedAuthorizationResponse(as, { client_id: c.clientId }, res);
      url.searchParams.set('request_uri', par.request_uri);
    } else {
      url.searchParams.set('request', request);
      // RFC 9101 §6.3: an outer parameter is ignored; only the object's state comes back.
      url.searchParams.set('state', 'outer');
    }
    const { location } = await authorize(new Browser(), url.href, user);
    assert.ok(location?.startsWith(c.redirectUri + '?'), `expected a redirect to the client, got ${location}`);
    const tokens = await client.authorizationCodeGrant(config, new URL(location), {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    });
    assert.equal(tokens.claims().sub, user.username, pushed ? 'through PAR' : 'by value');
  }
});

test('JAR: an unsigned (alg none) or HS256 request object, or another key, is 400 invalid_request_object', async () => {
  const c = await keyClient();
  const other = await keyPair(c.kid);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: c.clientId, aud: issuer, iat: now, exp: now + 60, client_id: c.clientId, response_type: 'code',
    redirect_uri: c.redirectUri, scope: 'openid', state: 's', code_challenge_method: 'S256',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  };
  const objects = {
    none: new jose.UnsecuredJWT(claims).encode(),
    HS256: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32)),
    'another key': await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: c.kid }).sign(other.key),
  };
  for (const [what, request] of Object.entries(objects)) {
    const url = new URL('/oauth2/authorize', issuer);
    url.searchParams.set('client_id', c.clientId);
    url.searchParams.set('request', request);
    const r = await new Browser().get(url.href);
    assert.equal(r.status, 400, what);
    assert.ok(!r.location, `${what}: no redirect to an unverified redirect_uri`);
    assert.match(r.body, /invalid_request_object/, what);
  }
});
