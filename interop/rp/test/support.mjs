// Shared fixtures of the relying-party suite: the server under test (from bin/interop-rp), a tiny browser over
// fetch (cookie jar, manual redirects, minimal HTML form parsing), the sign-in and consent steps over HTTP, an
// admin-API client that creates a fresh user or client per test (so the files can run in parallel against one
// server), openid-client configurations, token verification against the JWKS with jose, and RFC 6238 TOTP.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import * as jose from 'jose';

export { client };

export const issuer = required('GATEHOUSE_ISSUER');
const credentialsFile = required('GATEHOUSE_CREDENTIALS');

export const SERVICE_CLIENT = 'gatehouse-demo-service';
export const SPA_CLIENT = 'gatehouse-demo-spa';
export const SPA_REDIRECT = 'http://127.0.0.1:5173/callback';
export const SERVICE_REDIRECT = 'http://127.0.0.1:8081/login/oauth2/code/gatehouse';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite with bin/interop-rp, which starts the server`);
  }
  return value.replace(/\/+$/, '');
}

/** The demo credentials the server wrote on first start (never printed). */
export const demo = (() => {
  const text = readFileSync(credentialsFile, 'utf8');
  const password = /user demo password: (\S+)/.exec(text)?.[1];
  const serviceSecret = new RegExp(`client ${SERVICE_CLIENT} secret: (\\S+)`).exec(text)?.[1];
  assert.ok(password && serviceSecret, `no demo credentials in ${credentialsFile}`);
  return { username: 'demo', password, serviceSecret };
})();

// ------------------------------------------------------------------ HTTP

export function basic(id, secret) {
  // RFC 6749 §2.3.1: both parts form-urlencoded before Base64.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

/** A form POST to an endpoint of the server, as a client sends it: returns status, headers and parsed JSON. */
export async function postForm(path, form, headers = {}) {
  const res = await fetch(new URL(path, issuer), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  return response(res);
}

export async function get(path, headers = {}) {
  return response(await fetch(new URL(path, issuer), { headers, redirect: 'manual' }));
}

/** A response body fit for an assertion message: token and code values replaced (nothing secret in test logs). */
export function redact(body) {
  return String(body ?? '')
    .replace(/("(?:access_token|refresh_token|id_token|device_code|subject_token|issued_token|client_secret)"\s*:\s*")[^"]*"/g, '$1…"')
    .replace(/([?&](?:code|access_token)=)[^&\s"]+/g, '$1…')
    .slice(0, 1500);
}

async function response(res) {
  const body = await res.text();
  let json;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body, json };
}

/** A browser: keeps the server's cookies, never follows redirects, speaks HTML. */
export class Browser {
  cookies = new Map();
  /** Every Set-Cookie header received, as sent. */
  setCookies = [];

  async request(url, { method = 'GET', form, headers = {} } = {}) {
    const target = new URL(url, issuer);
    const h = new Headers({ Accept: 'text/html,application/xhtml+xml', ...headers });
    if (this.cookies.size > 0 && target.origin === new URL(issuer).origin) {
      h.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    let body;
    if (form !== undefined) {
      body = form instanceof URLSearchParams ? form : new URLSearchParams(form);
      h.set('Content-Type', 'application/x-www-form-urlencoded');
    }
    const res = await fetch(target, { method, headers: h, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair, ...attributes] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, pair.slice(i + 1).trim());
      }
    }
    const text = await res.text();
    const location = res.headers.get('location');
    return {
      status: res.status,
      headers: res.headers,
      body: text,
      url: target.href,
      location: location ? new URL(location, target).href : null,
    };
  }

  get(url, headers) {
    return this.request(url, { headers });
  }

  post(url, form, headers) {
    return this.request(url, { method: 'POST', form, headers });
  }
}

// ------------------------------------------------------------------ minimal HTML forms

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attributes(tag) {
  const out = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][\w:.-]*)(?:\s*=\s*"([^"]*)")?/g)) {
    out[m[1].toLowerCase()] = m[2] === undefined ? '' : decode(m[2]);
  }
  return out;
}

/** The forms of a page: id, action, method, inputs and buttons. */
export function forms(html) {
  const out = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attributes(m[1]);
    out.push({
      id: a.id,
      action: a.action ?? '',
      method: (a.method ?? 'get').toUpperCase(),
      inputs: [...m[2].matchAll(/<input\b([^>]*)>/gi)].map((i) => attributes(i[1])),
      buttons: [...m[2].matchAll(/<button\b([^>]*)>/gi)].map((b) => attributes(b[1])),
    });
  }
  return out;
}

export function form(html, predicate, what) {
  const found = forms(html).find(predicate);
  assert.ok(found, `no ${what} form on the page:\n${html.slice(0, 2000)}`);
  return found;
}

/**
 * The fields a browser would submit: hidden and text inputs with their values, checked checkboxes (unless
 * unchecked by value), the pressed button's name and value, then `fill` (which replaces fields of the same name).
 */
export function fields(f, { button, uncheck = [], fill = {} } = {}) {
  const out = new URLSearchParams();
  for (const i of f.inputs) {
    const type = (i.type ?? 'text').toLowerCase();
    if (!i.name || i.name in fill) continue;
    if (type === 'checkbox' || type === 'radio') {
      if ('checked' in i && !uncheck.includes(i.value)) out.append(i.name, i.value ?? 'on');
    } else if (type !== 'submit' && type !== 'button') {
      out.append(i.name, i.value ?? '');
    }
  }
  if (button?.name) out.append(button.name, button.value ?? '');
  for (const [k, v] of Object.entries(fill)) {
    for (const value of [].concat(v)) out.append(k, value);
  }
  return out;
}

// ------------------------------------------------------------------ sign-in, consent, device verification

/** Signs in on the /login form (CSRF token from the page); returns the response to the POST. */
export async function login(browser, username, password) {
  const page = await browser.get('/login');
  assert.equal(page.status, 200, 'GET /login');
  const f = form(page.body, (x) => x.action.endsWith('/login'), 'sign-in');
  const res = await browser.post(f.action, fields(f, { fill: { username, password } }));
  assert.equal(res.status, 302, `POST /login: ${res.body.slice(0, 500)}`);
  assert.ok(!/\/login\?error/.test(res.location), `sign-in refused for ${username}`);
  return res;
}

/**
 * Runs an authorization request in the browser: signs in when sent to /login, answers the consent page when shown
 * (`allow`, `cancel`, or the list of scopes to leave checked), and returns the final redirect plus what was seen.
 */
export async function authorize(browser, url, user, { consent = 'allow' } = {}) {
  let res = await browser.get(url);
  let signedIn = false;
  if (res.status === 302 && new URL(res.location).pathname === '/login') {
    const done = await login(browser, user.username, user.password);
    signedIn = true;
    res = await browser.get(done.location);
  }
  let consentPage;
  if (res.status === 302 && new URL(res.location).pathname === '/oauth2/consent') {
    consentPage = await browser.get(res.location);
    assert.equal(consentPage.status, 200, `consent page: ${consentPage.body.slice(0, 500)}`);
    res = await answerConsent(browser, consentPage, consent);
  }
  return { res, location: res.location, signedIn, consentPage };
}

/** Presses Allow (optionally with some scopes unchecked) or Cancel on Gatehouse's consent page. */
export async function answerConsent(browser, page, consent) {
  if (consent === 'cancel') {
    const deny = form(page.body, (x) => x.id === 'deny', 'consent Cancel');
    const button = deny.buttons.find((b) => b.name === 'cancel') ?? deny.buttons[0];
    return browser.post(new URL(deny.action, page.url), fields(deny, { button }));
  }
  const allow = form(page.body, (x) => x.id === 'approve', 'consent Allow');
  const uncheck = Array.isArray(consent)
    ? allow.inputs.filter((i) => i.type === 'checkbox' && !consent.includes(i.value)).map((i) => i.value)
    : [];
  return browser.post(new URL(allow.action, page.url), fields(allow, { uncheck }));
}

/**
 * Enters a user code at the device verification page (RFC 8628 §3.3) as the signed-in user and answers the consent
 * page if one is shown; returns the final response (a redirect to ?outcome=...).
 */
export async function verifyDevice(browser, userCode, { consent = 'allow', verificationUri } = {}) {
  const entry = await browser.get(verificationUri ?? '/oauth2/device_verification');
  assert.equal(entry.status, 200, `device verification page: ${entry.body.slice(0, 500)}`);
  const f = form(entry.body, (x) => x.action.endsWith('/oauth2/device_verification'), 'user code');
  let res = await browser.post(new URL(f.action, entry.url), fields(f, { fill: { user_code: userCode } }));
  let consentPage;
  if (res.status === 302 && new URL(res.location).pathname === '/oauth2/consent') {
    consentPage = await browser.get(res.location);
    assert.equal(consentPage.status, 200, `device consent page: ${consentPage.body.slice(0, 500)}`);
    res = await answerConsent(browser, consentPage, consent);
  }
  return { res, location: res.location, consentPage };
}

// ------------------------------------------------------------------ the admin API: a fresh user or client per test

let adminToken;

async function admin() {
  adminToken ??= (async () => {
    const r = await postForm(
      '/oauth2/token',
      { grant_type: 'client_credentials', scope: 'admin' },
      { Authorization: basic(SERVICE_CLIENT, demo.serviceSecret) },
    );
    assert.equal(r.status, 200, `admin token: ${r.body}`);
    return r.json.access_token;
  })();
  return adminToken;
}

/** A POST (PUT for the mfa-required switches) to the admin API with the demo service's admin token; 200 or 201. */
export async function adminPost(path, body) {
  const res = await fetch(new URL(path, issuer), {
    method: path.includes('/mfa-required') ? 'PUT' : 'POST',
    headers: {
      Authorization: `Bearer ${await admin()}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify(body),
  });
  const r = await response(res);
  assert.ok(r.status === 201 || r.status === 200, `${path}: ${r.status} ${r.body}`);
  return r.json;
}

/**
 * A new initial access token for dynamic client registration (RFC 7591 §3), minted through the admin API
 * (bin/interop-rp runs the server with registration on, in initial-access-token mode).
 */
export async function initialAccessToken({ maxUses = 1, expiresInSeconds = 600 } = {}) {
  const r = await adminPost('/admin/initial-access-tokens', {
    description: `RP suite ${randomUUID()}`,
    maxUses,
    expiresInSeconds,
  });
  return r.token;
}

/** A new user with a long random password (roles: user). */
export async function newUser(roles = ['user']) {
  const username = `rp-${randomUUID().slice(0, 13)}`;
  const password = `rp ${randomBytes(18).toString('base64url')} pass`;
  await adminPost('/admin/users', { username, password, roles });
  return { username, password };
}

let shared;

/**
 * One user per test file (each file runs in its own process): creating a user and signing in each cost an Argon2id
 * hash, so tests that do not change the user share it. Consent is per client and user, and each test registers its
 * own client.
 */
export function sharedUser() {
  shared ??= newUser();
  return shared;
}

/** A new client registered through the admin API; returns its id and (confidential) secret. */
export async function newClient({
  grantTypes = ['authorization_code', 'refresh_token'],
  scopes = ['openid', 'profile', 'api.read'],
  redirectUris = ['http://127.0.0.1:8085/cb'],
  type = 'confidential',
  postLogoutRedirectUris = [],
  requireConsent = false,
  requireMfa = false,
  resources,
  backchannelLogoutUri,
  clientSecretJwt,
} = {}) {
  const clientId = `rp-${randomUUID()}`;
  const body = { clientId, clientName: `RP suite ${clientId}`, type, grantTypes, scopes, requireConsent, requireMfa };
  if (resources) body.resources = resources;
  if (backchannelLogoutUri) body.backchannelLogoutUri = backchannelLogoutUri;
  if (clientSecretJwt) body.clientSecretJwt = true;
  if (grantTypes.includes('authorization_code')) body.redirectUris = redirectUris;
  if (postLogoutRedirectUris.length > 0) body.postLogoutRedirectUris = postLogoutRedirectUris;
  const r = await adminPost('/admin/clients', body);
  return { clientId, clientSecret: r.clientSecret ?? undefined, redirectUri: redirectUris[0] };
}

/**
 * Makes a confidential client authenticate with private_key_jwt (RFC 7523) signed by these keys:
 * `PUT /admin/clients/{clientId}/keys` with `{ jwks }` or `{ jwksUri }`. Returns the response (status and JSON).
 */
export async function setClientKeys(clientId, body) {
  const res = await fetch(new URL(`/admin/clients/${encodeURIComponent(clientId)}/keys`, issuer), {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${await admin()}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify(body),
  });
  return response(res);
}

/**
 * Puts a client under the FAPI 2.0 Security Profile or takes it out: `PUT /admin/clients/{clientId}/fapi2` with
 * `{ fapi2 }`. Returns the response (status and JSON).
 */
export async function setClientFapi2(clientId, fapi2) {
  const res = await fetch(new URL(`/admin/clients/${encodeURIComponent(clientId)}/fapi2`, issuer), {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${await admin()}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify({ fapi2 }),
  });
  return response(res);
}

// ------------------------------------------------------------------ openid-client

/** An openid-client configuration from discovery, for a confidential (Basic or post) or public client. */
export function rp(clientId, clientSecret, { auth = 'basic' } = {}) {
  let authentication;
  if (!clientSecret) authentication = client.None();
  else if (auth === 'post') authentication = client.ClientSecretPost(clientSecret);
  else authentication = client.ClientSecretBasic(clientSecret);
  return client.discovery(new URL(issuer), clientId, clientSecret ? { client_secret: clientSecret } : {}, authentication, {
    execute: [client.allowInsecureRequests],
  });
}

/** A fresh PKCE pair, state and nonce, and the authorization URL built by openid-client. */
export async function codeRequest(config, { redirectUri, scope = 'openid profile', extra = {} } = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const openid = scope.split(' ').includes('openid');
  const checks = { pkceCodeVerifier: verifier, expectedState: client.randomState(), idTokenExpected: openid };
  // A nonce only with openid: openid-client then expects an ID token (OIDC Core §3.1.2.1).
  if (openid) checks.expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state: checks.expectedState,
    ...(openid ? { nonce: checks.expectedNonce } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, checks };
}

/** Signs the demo service client's user in through the browser and redeems the code with openid-client. */
export async function codeFlow(config, user, { redirectUri, scope, browser = new Browser(), consent } = {}) {
  const { url, checks } = await codeRequest(config, { redirectUri, scope });
  const { location } = await authorize(browser, url.href, user, { consent });
  assert.ok(location?.startsWith(redirectUri + '?'), `expected a redirect to the client, got ${location}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), checks);
  return { tokens, browser, location, checks };
}

// ------------------------------------------------------------------ tokens

const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/oauth2/jwks`));

/** Verifies an RFC 9068 access token's signature, type and issuer against the server's JWKS. */
export async function verifyAccessToken(token) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer, typ: 'at+jwt' });
  return { payload, protectedHeader };
}

/** Verifies an ID token's signature, issuer and audience against the server's JWKS. */
export async function verifyIdToken(token, audience) {
  const { payload } = await jose.jwtVerify(token, jwks, { issuer, audience });
  return payload;
}

// ------------------------------------------------------------------ RFC 6238 TOTP (SHA-1, 6 digits, 30 s)

export function totp(base32Secret, when = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32Secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, 'not a Base32 secret');
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}
