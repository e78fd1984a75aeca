// SPDX-License-Identifier: MIT
// test_tls.sh's node and browser part: wss:// with and without the CA, and the page in chromium.
'use strict';
const fs = require('fs');
const path = require('path');
const L = require('./lib.js');

const ca = fs.readFileSync(L.env('VSD_CA'));
const WSS = `wss://localhost:${L.WS_PORT}/mqtt`;

async function refused(what, url, extra) {
  try {
    const c = await L.mqttClient('amira', L.ACCOUNTS.amira, url, extra);
    c.end(true);
  } catch (e) {
    return e.message || String(e);
  }
  L.fail(`${what} was accepted`);
}

L.run(async () => {
  const c = await L.mqttClient('amira', L.ACCOUNTS.amira, WSS, { ca, rejectUnauthorized: true });
  const state = await new Promise((resolve) => {
    c.on('message', (t, p) => resolve(p.toString()));
    c.subscribe('vitals/test/daemon/state', { qos: 1 });
  });
  c.end(true);
  L.assert(state === 'online', `daemon state over wss: ${state}`);
  L.ok('MQTT over wss:// with the CA: signed in, the daemon\'s state read ("online")');

  const noCa = await refused('wss:// without the CA', WSS, { rejectUnauthorized: true });
  L.assert(/self.signed|unable to verify|certificate/i.test(noCa), `without the CA: ${noCa}`);
  const plain = await refused('plain ws:// to the TLS listener', `ws://127.0.0.1:${L.WS_PORT}/mqtt`);
  L.ok(`refused: wss:// without the CA ("${noCa}"), plain ws:// ("${plain}")`);

  const ctx = await L.launch([], { HOME: L.env('VSD_HOME') });
  try {
    const page = await L.newPage(ctx, 'tls');
    const file = path.join(L.TMP, 'broker', 'dashboard', 'index.html');
    await L.signIn(page, 'amira', L.ACCOUNTS.amira,
                   { url: `file://${file}?broker=${encodeURIComponent(WSS)}` });
    await L.signedIn(page);
    const broker = await page.evaluate(() => document.getElementById('signin-broker').textContent);
    L.assert(broker === WSS, `the page's broker: ${broker}`);
    await L.waitFor('chairs b1 and b2 with values', () => page.evaluate(() =>
      ['b1', 'b2'].every((b) => /^\d+$/.test(document.querySelector(
        `#tile-${b} .vital[data-vital=hr] .v-value`)?.textContent || ''))), 10000);
    L.ok(`chromium trusting only the test CA signs in over ${broker} from the installed page ` +
         'and shows the chairs');
    const other = await L.newPage(ctx, 'tls-https');
    const err = await other.goto(`https://localhost:${L.WS_PORT}/`).then(() => null, (e) => e.message);
    L.info(`the page itself from mosquitto over https: ${err ? err.split('\n')[0] : 'loaded'} ` +
           '(mosquitto 2.0.11 + libwebsockets 4.1 offer HTTP/2, its file server speaks HTTP/1.0 only)');
  } finally {
    await ctx.close();
  }

  // The control: the same page in a chromium whose HOME has no such CA cannot sign in.
  const bare = path.join(L.TMP, 'home-without-ca');
  fs.mkdirSync(bare, { recursive: true });
  const ctx2 = await L.launch([], { HOME: bare });
  try {
    const page = await L.newPage(ctx2, 'tls-no-ca');
    const file = path.join(L.TMP, 'broker', 'dashboard', 'index.html');
    await L.signIn(page, 'amira', L.ACCOUNTS.amira,
                   { url: `file://${file}?broker=${encodeURIComponent(WSS)}` });
    const err = await L.waitFor('the sign-in error', () =>
      page.evaluate(() => document.getElementById('signin-error').textContent), 10000);
    L.assert(/Cannot reach the broker/.test(err), `without the CA: ${err}`);
    L.ok(`control: a chromium that does not trust the CA cannot sign in ("${err}")`);
  } finally {
    await ctx2.close();
  }
});
