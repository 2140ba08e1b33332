// The Model Context Protocol TypeScript SDK's OAuth client (@modelcontextprotocol/sdk: Client,
// StreamableHTTPClientTransport, an OAuthClientProvider) against an MCP server protected by the starter: the
// resource-server example's profile mcp (the MCP Java SDK's Streamable HTTP server at /mcp), started beside the
// server with the resource identifier bin/interop-rp chose (GATEHOUSE_MCP_RESOURCE), which is also in the server's
// registration policy (gatehouse.server.registration.resources), so dynamically registered clients may ask for it.
// The SDK gets 401 with resource_metadata, reads the RFC 9728 document, the RFC 8414 metadata, registers (RFC 7591),
// signs in with code + PKCE + resource (RFC 8707), and calls tools with a token whose aud is exactly the MCP server.
// bin/interop-rp runs registration in initial-access-token mode (registration.test.mjs needs it); the SDK has no
// option for an initial access token, so this test's fetch adds it to the registration request, and only to it.
// Skipped when the example's jar is not built (./mvnw -o -q -DskipTests package -pl
// auth-core,auth-spring-starter,examples/resource-server; bin/test builds it) or when not run by bin/interop-rp.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import * as jose from 'jose';
import {
  Browser, authorize, basic, initialAccessToken, issuer, newClient, postForm, redact, sharedUser, verifyAccessToken,
} from './support.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const jar = `${root}examples/resource-server/target/resource-server.jar`;
const resource = process.env.GATEHOUSE_MCP_RESOURCE; // http://localhost:<port>/mcp, from bin/interop-rp
let skip = false;
if (!existsSync(jar)) skip = `${jar} is not built`;
else if (!resource) skip = 'GATEHOUSE_MCP_RESOURCE is not set (run through bin/interop-rp)';

const REDIRECT = 'http://127.0.0.1:8087/callback';
const SCOPE = 'mcp.tools';
const origin = resource ? new URL(resource).origin : undefined;
const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
const registrationEndpoint = `${issuer}/oauth2/register`;

let mcp; // the example's process

before(async () => {
  if (skip) return;
  mcp = spawn(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-jar',
      jar,
      `--server.port=${new URL(resource).port}`,
      '--server.address=127.0.0.1',
      '--spring.profiles.active=mcp',
      `--gatehouse.resource-server.issuer-uri=${issuer}`,
      `--gatehouse.resource-server.resource=${resource}`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // Bounded start-up polling (120 s), as bin/interop-rp does for the server.
  for (let i = 0; i < 240; i++) {
    if (mcp.exitCode !== null) throw new Error(`the resource-server example (profile mcp) exited with ${mcp.exitCode}`);
    try {
      if ((await fetch(metadataUrl)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the resource-server example (profile mcp) did not come up within 120 s');
});

after(() => {
  mcp?.kill();
});

/** An OAuthClientProvider kept in memory, as a CLI or desktop MCP client would keep it on disk. */
class MemoryProvider {
  stored = {};
  authorizationUrl;
  expectedState = randomBytes(16).toString('base64url');

  get redirectUrl() {
    return REDIRECT;
  }

  get clientMetadata() {
    return {
      client_name: 'RP suite MCP client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    return this.expectedState;
  }

  clientInformation() {
    return this.stored.client;
  }

  saveClientInformation(info) {
    this.stored.client = info;
  }

  tokens() {
    return this.stored.tokens;
  }

  saveTokens(tokens) {
    this.stored.tokens = tokens;
  }

  redirectToAuthorization(url) {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier) {
    this.stored.verifier = verifier;
  }

  codeVerifier() {
    return this.stored.verifier;
  }
}

/**
 * The SDK's fetch: records what it asks for, and adds an initial access token (RFC 7591 §3) to the registration
 * request only; every other request goes out as the SDK made it.
 */
function recordingFetch(token) {
  const requests = [];
  const fetchFn = (url, init = {}) => {
    const target = new URL(url instanceof Request ? url.url : url);
    const method = (init.method ?? 'GET').toUpperCase();
    requests.push(`${method} ${target.href}`);
    if (method === 'POST' && target.href === registrationEndpoint) {
      const headers = new Headers(init.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(url, { ...init, headers });
    }
    return fetch(url, init);
  };
  return { fetchFn, requests };
}

function challenge(response) {
  const header = response.headers.get('www-authenticate') ?? '';
  assert.match(header, /^Bearer\b/, header);
  return {
    error: /error="([^"]*)"/.exec(header)?.[1],
    resourceMetadata: /resource_metadata="([^"]*)"/.exec(header)?.[1],
  };
}

function initialize(token) {
  return fetch(resource, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'rp-suite', version: '0' } },
    }),
  });
}

test('MCP authorization: the MCP server answers 401 naming its RFC 9728 document, which names this server', { skip }, async () => {
  const response = await initialize();
  assert.equal(response.status, 401);
  assert.equal(challenge(response).resourceMetadata, metadataUrl);
  const metadata = await (await fetch(metadataUrl)).json();
  assert.equal(metadata.resource, resource);
  assert.deepEqual(metadata.authorization_servers, [issuer]);
  assert.deepEqual(metadata.scopes_supported, [SCOPE]);
});

test('the MCP SDK discovers, registers, signs in with code + PKCE + resource, and calls a tool with an audience-bound token', { skip }, async () => {
  const provider = new MemoryProvider();
  const { fetchFn, requests } = recordingFetch(await initialAccessToken());

  // 1. Unauthorized: the transport reads the challenge, discovers, registers and asks to send the user away.
  const first = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider, fetch: fetchFn });
  await assert.rejects(new Client({ name: 'rp-suite', version: '1.0.0' }).connect(first), UnauthorizedError);
  for (const expected of [
    `POST ${resource}`,
    `GET ${metadataUrl}`,
    `GET ${issuer}/.well-known/oauth-authorization-server`,
    `POST ${registrationEndpoint}`,
  ]) {
    assert.ok(requests.includes(expected), `${expected} in ${requests.join(', ')}`);
  }
  assert.ok(!requests.some((r) => r.includes('/oauth2/token')), 'no token request before the user signs in');
  const registered = provider.stored.client;
  assert.ok(registered?.client_id, 'registered client_id');
  assert.equal(registered.client_secret, undefined, 'a public client');

  // 2. The authorization request the SDK built: code + PKCE S256 + resource + the resource's scope.
  const url = provider.authorizationUrl;
  assert.ok(url, 'redirectToAuthorization was called');
  assert.equal(url.origin + url.pathname, `${issuer}/oauth2/authorize`);
  assert.equal(url.searchParams.get('client_id'), registered.client_id);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('resource'), resource);
  assert.equal(url.searchParams.get('scope'), SCOPE);

  // 3. The user signs in and consents in the browser; the redirect brings the code back.
  const user = await sharedUser();
  const { location, consentPage } = await authorize(new Browser(), url.href, user);
  assert.ok(consentPage, 'a dynamically registered client asks for consent');
  assert.ok(location?.startsWith(REDIRECT + '?'), `expected a redirect to the MCP client, got ${location}`);
  const callback = new URL(location);
  assert.equal(callback.searchParams.get('state'), provider.expectedState);
  assert.equal(callback.searchParams.get('iss'), issuer, 'RFC 9207');
  await first.finishAuth(callback.searchParams.get('code'));

  // 4. The access token: signed by the server, for exactly this MCP server.
  const token = provider.stored.tokens.access_token;
  const { payload } = await verifyAccessToken(token);
  assert.deepEqual([payload.aud].flat(), [resource]);
  assert.equal(payload.client_id, registered.client_id);
  assert.equal(payload.sub, user.username);
  assert.deepEqual(String(payload.scope).split(' '), [SCOPE]);
  await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(`${issuer}/oauth2/jwks`)), { issuer, audience: resource });

  // 5. Connected: tools/list and tools/call over Streamable HTTP with that token.
  const client = new Client({ name: 'rp-suite', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider, fetch: fetchFn }));
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['read_document']);
    const result = await client.callTool({ name: 'read_document', arguments: { id: 'd-1' } });
    assert.ok(!result.isError, JSON.stringify(result));
    assert.equal(result.content[0].text, `Quarterly plan (read for ${user.username})`);
  } finally {
    await client.close();
  }
});

test('RFC 8707: the MCP server refuses tokens for another resource or for the client, and asks for its scope', { skip }, async () => {
  const other = 'http://localhost:8082';
  const c = await newClient({ grantTypes: ['client_credentials'], scopes: [SCOPE, 'api.read'], resources: [other, resource] });
  const tokenFor = async (form) => {
    const r = await postForm('/oauth2/token', { grant_type: 'client_credentials', ...form }, {
      Authorization: basic(c.clientId, c.clientSecret),
    });
    assert.equal(r.status, 200, redact(r.body));
    return r.json.access_token;
  };

  for (const token of [await tokenFor({ scope: SCOPE, resource: other }), await tokenFor({ scope: SCOPE })]) {
    const response = await initialize(token);
    assert.equal(response.status, 401);
    assert.deepEqual(challenge(response), { error: 'invalid_token', resourceMetadata: metadataUrl });
  }
  const withoutScope = await initialize(await tokenFor({ scope: 'api.read', resource }));
  assert.equal(withoutScope.status, 403);
  assert.deepEqual(challenge(withoutScope), { error: 'insufficient_scope', resourceMetadata: metadataUrl });
});
