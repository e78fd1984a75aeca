// SPDX-License-Identifier: MIT
// test_central.sh's browser part: the central view of areas a and b.
'use strict';
const fs = require('fs');
const path = require('path');
const L = require('./lib.js');

const banners = (page) => page.evaluate(() =>
  [...document.querySelectorAll('#banners .banner')].map((b) => ({ kind: b.dataset.kind,
                                                                   text: b.textContent })));

L.run(async () => {
  const context = await L.launch();
  const page = await L.newPage(context, 'central');
  await L.signIn(page, 'chen', L.ACCOUNTS.chen, { sound: false, url: `${L.URL}?central=1` });
  await L.signedIn(page);
  const title = await page.textContent('#area-name');
  L.assert(title === 'all areas', `the header names '${title}', not 'all areas'`);

  await L.waitFor('both areas\' chairs', () => page.evaluate(() => {
    const b = window.vsdDashboard.beds();
    return b.includes('a/b1') && b.includes('b/b1');
  }), 15000);
  L.ok('the chairs of both areas are on the page, named by area');

  const alert = await L.waitFor('area a\'s desaturation', () => page.evaluate(() =>
    window.vsdDashboard.alerts().find((a) => a.bed === 'a/b1' && a.vital === 'spo2')), 15000);
  const item = await L.waitFor('the alert in the list', () => page.evaluate((id) => {
    const li = document.querySelector(`#alerts li[data-alert-id="${id}"]`);
    return li && { ack: !!li.querySelector('button.ack'),
                   where: (li.querySelector('.a-where') || {}).textContent };
  }, alert.alert_id), 5000);
  L.assert(item && !item.ack && /area's own dashboard/.test(item.where || ''),
           `the alert offers an acknowledgement here: ${JSON.stringify(item)}`);
  const visit = await page.evaluate(() => [...document.querySelectorAll('.tile .visit')]
    .map((b) => getComputedStyle(b).display));
  L.assert(visit.length >= 2 && visit.every((d) => d === 'none'),
           `a visit button is shown: ${JSON.stringify(visit)}`);
  L.ok('area a\'s alert is listed for a/b1, with no acknowledge or visit button here');

  // Area a's link to the centre lost: the bridge's last will, retained.
  const pw = fs.readFileSync(path.join(L.TMP, 'broker', 'vitalsd-mqtt-password'), 'utf8').trim();
  const c = await L.mqttClient('vitalsd', pw);
  await new Promise((r) => c.publish('vitals/a/bridge/state', '0', { qos: 1, retain: true }, r));
  c.end(true);
  const link = await L.waitFor('the link-lost banner', async () =>
    (await banners(page)).find((b) => b.kind === 'link_lost'), 10000);
  L.assert(/Area a is NOT MONITORED FROM HERE/.test(link.text), `banner: ${link.text}`);
  L.ok(`a lost link is said: "${link.text.slice(0, 60)}..."`);

  // Area b's vitalsd stops: its "offline".
  process.kill(Number(L.env('VSD_PID_B')), 'SIGTERM');
  const off = await L.waitFor('area b\'s offline banner', async () =>
    (await banners(page)).find((b) => b.kind === 'daemon_offline'), 15000);
  L.assert(/Area b: vitalsd is OFFLINE/.test(off.text), `banner: ${off.text}`);
  const areas = await page.evaluate(() => window.vsdDashboard.areas());
  L.assert(areas.a.daemon === 'online' && areas.a.link === '0' && areas.b.daemon === 'offline',
           `areas: ${JSON.stringify(areas)}`);
  L.ok('an area whose vitalsd stopped is said, the other area stays online');
  await L.shot(page, 'central', 1920, 1080);
  await context.close();
});
