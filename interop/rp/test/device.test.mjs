// Device authorization grant (RFC 8628): started with openid-client, approved or cancelled by the user over HTTP,
// each poll made once with oauth4webapi (openid-client's own poller waits the interval, which this suite does not
// do). Refusals from issue #13 items 1, 11 and 14.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import {
  basic, Browser, client, DEVICE_GRANT, issuer, login, newClient, postForm, redact, rp, sharedUser, verifyAccessToken,
  verifyDevice,
} from './support.mjs';

async function deviceClient({ requireConsent = true, scopes = ['api.read', 'api.write'] } = {}) {
  const c = await newClient({ grantTypes: [DEVICE_GRANT, 'refresh_token'], scopes, requireConsent });
  return { ...c, config: await rp(c.clientId, c.clientSecret) };
}

/** One token request for the device code (RFC 8628 §3.4), answered as oauth4webapi processes it. */
async function poll({ config, clientId, clientSecret }, deviceCode) {
  const as = config.serverMetadata();
  const c = { client_id: clientId };
  const response = await oauth.deviceCodeGrantRequest(as, c, oauth.ClientSecretBasic(clientSecret), deviceCode, {
    [oauth.allowInsecureRequests]: true,
  });
  return oauth.processDeviceCodeResponse(as, c, response);
}

async function refusedWith(promise, status, error) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof oauth.ResponseBodyError, String(e));
    assert.equal(e.status, status);
    assert.equal(e.error, error);
    return true;
  });
}

async function signedIn() {
  const user = await sharedUser();
  const browser = new Browser();
  await login(browser, user.username, user.password);
  return { user, browser };
}

test('device grant: openid-client starts it, the user approves the code over HTTP, one poll gets tokens for the user', async () => {
  const device = await deviceClient();
  const started = await client.initiateDeviceAuthorization(device.config, { scope: 'api.read' });
  assert.ok(started.device_code && started.user_code && started.expires_in > 0);
  assert.equal(started.verification_uri, `${issuer}/oauth2/device_verification`);
  assert.ok(started.verification_uri_complete?.startsWith(started.verification_uri + '?'));

  // One poll only, after the approval: a second poll within the interval may rightly be slow_down.
  const { user, browser } = await signedIn();
  const { location } = await verifyDevice(browser, started.user_code);
  assert.ok(location.endsWith('/oauth2/device_verification?outcome=success'), location);

  const tokens = await poll(device, started.device_code);
  const { payload } = await verifyAccessToken(tokens.access_token);
  assert.equal(payload.sub, user.username);
  assert.equal(payload.client_id, device.clientId);
  assert.deepEqual(String(payload.scope).split(' '), ['api.read']);
});

test('#13 item 14: the device authorization response names the polling interval (RFC 8628 §3.2)', async () => {
  const device = await deviceClient();
  const started = await client.initiateDeviceAuthorization(device.config, { scope: 'api.read' });
  assert.equal(typeof started.interval, 'number', 'no interval in the device authorization response');
  assert.ok(started.interval >= 1);
});

test('#13 item 14: polling again at once is answered slow_down (RFC 8628 §3.5)', async () => {
  const device = await deviceClient();
  const started = await client.initiateDeviceAuthorization(device.config, { scope: 'api.read' });
  await refusedWith(poll(device, started.device_code), 400, 'authorization_pending');
  await refusedWith(poll(device, started.device_code), 400, 'slow_down');
});

test('#13 item 14: a device_code already redeemed is refused with invalid_grant (RFC 6749 §5.2)', async () => {
  const device = await deviceClient();
  const started = await client.initiateDeviceAuthorization(device.config, { scope: 'api.read' });
  const { browser } = await signedIn();
  await verifyDevice(browser, started.user_code);
  assert.ok((await poll(device, started.device_code)).access_token);
  await refusedWith(poll(device, started.device_code), 400, 'invalid_grant');
});

test('device Cancel on the first consent: the page says denied and the poll is access_denied (RFC 8628 §3.5)', async () => {
  const device = await deviceClient();
  const started = await client.initiateDeviceAuthorization(device.config, { scope: 'api.read' });
  const { browser } = await signedIn();
  const { location, consentPage } = await verifyDevice(browser, started.user_code, { consent: 'cancel' });
  assert.ok(consentPage, 'the consent page was shown');
  assert.ok(location.endsWith('?outcome=denied'), location);
  await refusedWith(poll(device, started.device_code), 400, 'access_denied');
});

test('#13 item 1: device Cancel after an earlier consent is denied too, and the poll is access_denied with no tokens', async () => {
  const device = await deviceClient();
  const { browser } = await signedIn();
  const first = await client.initiateDeviceAuthorization(device.config, { scope: 'api.read' });
  await verifyDevice(browser, first.user_code);
  assert.ok((await poll(device, first.device_code)).access_token);

  const second = await client.initiateDeviceAuthorization(device.config, { scope: 'api.write' });
  const { location, consentPage } = await verifyDevice(browser, second.user_code, { consent: 'cancel' });
  assert.ok(consentPage, 'the consent page was shown for the new scope');
  assert.ok(location.endsWith('?outcome=denied'), location);
  await refusedWith(poll(device, second.device_code), 400, 'access_denied');
});

test('#13 item 11: a wrong secret at the device authorization endpoint is 401 invalid_client with WWW-Authenticate', async () => {
  const device = await deviceClient();
  const r = await postForm('/oauth2/device_authorization', { scope: 'api.read' },
    { Authorization: basic(device.clientId, 'not-the-secret') });
  assert.equal(r.status, 401, redact(r.body));
  assert.equal(r.json.error, 'invalid_client');
  assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
});

test('the token endpoint refuses an unknown device_code with invalid_grant', async () => {
  const device = await deviceClient();
  const r = await postForm('/oauth2/token', { grant_type: DEVICE_GRANT, device_code: 'not-a-device-code' },
    { Authorization: basic(device.clientId, device.clientSecret) });
  assert.equal(r.status, 400, redact(r.body));
  assert.equal(r.json.error, 'invalid_grant');
});
