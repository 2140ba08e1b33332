// The starter as an RFC 9728 protected resource, judged by oauth4webapi: the resource-server example
// (examples/resource-server, profile protected-resource) started beside the server with a resource identifier
// that has a path, discovered from that identifier (path-suffixed well-known URL, RFC 9728 §3.1), named by its
// 401s (§5.1), leading to the authorization server's own metadata (RFC 8414), and refusing the server's tokens
// that were not minted for it (RFC 8707 §2). Skipped when the example's jar is not built
// (./mvnw -o -q -DskipTests package -pl auth-core,auth-spring-starter,examples/resource-server).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as oauth from 'oauth4webapi';
import { SERVICE_CLIENT, basic, demo, issuer, postForm, redact } from './support.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const jar = `${root}examples/resource-server/target/resource-server.jar`;
const built = existsSync(jar);
const skip = built ? false : `${jar} is not built`;
const insecure = { [oauth.allowInsecureRequests]: true }; // loopback http, as everywhere in this suite

let api; // the example's process
let origin; // http://localhost:<port>
let resource; // its resource identifier, with a path

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  if (!built) return;
  const port = await freePort();
  origin = `http://localhost:${port}`;
  resource = `${origin}/documents`;
  api = spawn(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-jar',
      jar,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      '--spring.profiles.active=protected-resource',
      `--gatehouse.resource-server.issuer-uri=${issuer}`,
      `--gatehouse.resource-server.resource=${resource}`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // Bounded start-up polling (120 s), as bin/interop-rp does for the server.
  for (let i = 0; i < 240; i++) {
    if (api.exitCode !== null) throw new Error(`the resource-server example exited with ${api.exitCode}`);
    try {
      if ((await fetch(`${origin}/.well-known/oauth-protected-resource/documents`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the resource-server example did not come up within 120 s');
});

after(() => {
  api?.kill();
});

function resourceMetadataOf(response) {
  const challenge = response.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer\b/, challenge);
  return /resource_metadata="([^"]*)"/.exec(challenge)?.[1];
}

test('RFC 9728 §3.1: oauth4webapi discovers the resource from its identifier and, through it, the server', { skip }, async () => {
  const response = await oauth.resourceDiscoveryRequest(new URL(resource), insecure);
  assert.equal(response.url, `${origin}/.well-known/oauth-protected-resource/documents`);
  const metadata = await oauth.processResourceDiscoveryResponse(new URL(resource), response);
  assert.equal(metadata.resource, resource);
  assert.deepEqual(metadata.authorization_servers, [issuer]);
  assert.deepEqual(metadata.bearer_methods_supported, ['header']);
  assert.deepEqual(metadata.scopes_supported, ['api.read']);
  assert.equal(metadata.tls_client_certificate_bound_access_tokens, undefined);

  const server = new URL(metadata.authorization_servers[0]);
  const as = await oauth.processDiscoveryResponse(server, await oauth.discoveryRequest(server, insecure));
  assert.equal(as.issuer, issuer);
  assert.ok(as.token_endpoint);
});

test('RFC 9728 §5.1: a 401 without a token names the metadata oauth4webapi accepts', { skip }, async () => {
  const response = await fetch(`${origin}/documents/d-1`);
  assert.equal(response.status, 401);
  const url = resourceMetadataOf(response);
  assert.equal(url, `${origin}/.well-known/oauth-protected-resource/documents`);
  const metadata = await oauth.processResourceDiscoveryResponse(new URL(resource), await fetch(url));
  assert.deepEqual(metadata.authorization_servers, [issuer]);
});

test('RFC 8707 §2: a token the server minted for the client, not for this resource, is 401 invalid_token', { skip }, async () => {
  const r = await postForm(
    '/oauth2/token',
    { grant_type: 'client_credentials', scope: 'api.read' },
    { Authorization: basic(SERVICE_CLIENT, demo.serviceSecret) },
  );
  assert.equal(r.status, 200, redact(r.body));
  const response = await fetch(`${origin}/documents/d-1`, {
    headers: { Authorization: `Bearer ${r.json.access_token}` },
  });
  assert.equal(response.status, 401);
  assert.match(response.headers.get('www-authenticate'), /error="invalid_token"/);
  assert.equal(resourceMetadataOf(response), `${origin}/.well-known/oauth-protected-resource/documents`);
});
