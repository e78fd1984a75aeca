// SPDX-License-Identifier: MIT
// test_acl.sh's browser part: a nurse's credentials, in the page, with the page's mqtt.min.js.
'use strict';
const fs = require('fs');
const path = require('path');
const L = require('./lib.js');

const AREA = 'test';
const NOT_AUTHORIZED = 135; // MQTT 5 reason code in the PUBACK of a publish the ACL refuses

// Run in the page: connect as USER, try each publish, collect what the connection receives.
async function asNurse(page, user, password, area, attempts) {
  return page.evaluate(async ({ url, user, password, area, attempts }) => {
    const c = mqtt.connect(url, { username: user, password, protocolVersion: 5,
                                  reconnectPeriod: 0, connectTimeout: 5000 });
    await new Promise((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
    const received = [];
    c.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    const subscribe = (topic) => new Promise((resolve) => c.subscribe(topic, { qos: 1 },
      (err, granted) => resolve(err ? { error: err.message } : granted.map((g) => g.qos))));
    const subscriptions = {
      own: await subscribe(`vitals/${area}/reply/${user}`),
      other: await subscribe(`vitals/${area}/reply/ben`),
    };
    const results = {};
    for (const a of attempts) {
      results[a.name] = await new Promise((resolve) => c.publish(a.topic, a.payload,
        { qos: 1, retain: !!a.retain }, (err) => resolve(err ? { code: err.code,
                                                                 message: err.message } : 'ok')));
    }
    await new Promise((r) => setTimeout(r, 2000));
    c.end(true);
    return { subscriptions, results, received };
  }, { url: `ws://127.0.0.1:${L.WS_PORT}/mqtt`, user, password, area, attempts });
}

L.run(async () => {
  const daemonPassword = fs.readFileSync(path.join(L.TMP, 'broker', 'vitalsd-mqtt-password'),
                                         'utf8').trim();
  const watcher = await L.mqttClient('vitalsd', daemonPassword);
  const seen = [];
  watcher.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  await watcher.subscribeAsync('vitals/#', { qos: 1 });

  // ben asks too: his reply must not reach amira
  const ben = await L.mqttClient('ben', L.ACCOUNTS.ben);
  await ben.subscribeAsync(`vitals/${AREA}/reply/ben`, { qos: 1 });
  const benReplies = [];
  ben.on('message', (t, p) => benReplies.push(p.toString()));

  const ctx = await L.launch();
  try {
    const page = await L.newPage(ctx, 'acl');
    await page.goto(L.URL);
    await L.waitFor('the page\'s MQTT library', () => page.evaluate(() => typeof mqtt), 5000);

    const fakeEvent = JSON.stringify({ seq: 999999, event: 'raised', state: 'active',
      bed: 'b1', alert_id: 'f'.repeat(32), kind: 'physiological', code: 'low', priority: 'high',
      vital: 'spo2', value: 70, limit: 90, note: 'FAKE' });
    const p = `vitals/${AREA}/`;
    const attempts = [
      { name: 'alert event', topic: `${p}bed/b1/alert`, payload: fakeEvent },
      { name: 'retained alert event', topic: `${p}bed/b1/alert`, payload: fakeEvent, retain: true },
      { name: 'retained alert list', topic: `${p}bed/b1/alerts`, retain: true,
        payload: JSON.stringify({ bed: 'b1', seq: 999999, alerts: [], note: 'FAKE' }) },
      { name: 'daemon alert', topic: `${p}daemon/alert`, payload: fakeEvent },
      { name: 'daemon state', topic: `${p}daemon/state`, payload: 'online FAKE', retain: true },
      { name: 'readings', topic: `${p}bed/b1/readings`,
        payload: JSON.stringify({ bed: 'b1', note: 'FAKE', readings: [] }) },
      { name: 'device status', topic: `${p}device/m1/status`, payload: '{"note":"FAKE"}', retain: true },
      { name: 'escalation', topic: `${p}escalation`, payload: fakeEvent },
      { name: 'reply to ben', topic: `${p}reply/ben`, payload: '{"ok":true,"note":"FAKE"}' },
      { name: 'ben\'s command', topic: `${p}command/ben`, payload: JSON.stringify({
        cmd: 'session_start', bed: 'b2', session: 'FAKE-1', request_id: 'FAKE-forged' }) },
      { name: 'own command', topic: `${p}command/amira`,
        payload: JSON.stringify({ cmd: 'ping', request_id: 'own-ping' }) },
    ];
    await ben.publishAsync(`${p}command/ben`, JSON.stringify({ cmd: 'ping', request_id: 'ben-ping' }),
                           { qos: 1 });
    const r = await asNurse(page, 'amira', L.ACCOUNTS.amira, AREA, attempts);
    L.info(`results: ${JSON.stringify(r.results)}`);
    for (const a of attempts) {
      if (a.name === 'own command') continue;
      const res = r.results[a.name];
      L.assert(res && res.code === NOT_AUTHORIZED,
               `amira's publish of ${a.name} on ${a.topic}: ${JSON.stringify(res)} (want refused)`);
    }
    L.ok(`the broker refuses amira's ${attempts.length - 1} forgeries (alert event, retained ` +
         'alert, retained list, daemon alert and state, readings, device status, escalation, a ' +
         'reply to ben, ben\'s command) with "not authorized"');

    L.assert(r.results['own command'] === 'ok', `own command: ${JSON.stringify(r.results)}`);
    const own = r.received.find((m) => m.topic === `${p}reply/amira` &&
                                       JSON.parse(m.payload).request_id === 'own-ping');
    L.assert(own && JSON.parse(own.payload).ok === true, `own reply: ${JSON.stringify(r.received)}`);
    L.ok(`positive control: the same connection's own command is answered: ${own.payload}`);

    L.assert(benReplies.some((x) => x.includes('ben-ping')), 'ben got his own answer');
    L.assert(!r.received.some((m) => m.topic.endsWith('/reply/ben')),
             `amira read ben's replies: ${JSON.stringify(r.received)}`);
    L.ok(`amira cannot read ben's replies (subscription answered ${JSON.stringify(
          r.subscriptions.other)}, nothing delivered) while ben gets his`);

    const leaked = seen.filter((m) => m.payload.includes('FAKE'));
    L.assert(leaked.length === 0, `forgeries reached a subscriber: ${JSON.stringify(leaked)}`);
    const late = await L.mqttClient('chen', L.ACCOUNTS.chen);
    const retained = [];
    late.on('message', (t, pl, packet) => retained.push({ t, pl: pl.toString(), r: packet.retain }));
    await late.subscribeAsync([`${p}bed/+/alerts`, `${p}bed/+/alert`, `${p}daemon/state`,
                               `${p}device/+/status`], { qos: 1 });
    await L.sleep(1000);
    late.end(true);
    L.assert(retained.length >= 5 && !retained.some((m) => m.pl.includes('FAKE')),
             `retained after the attempts: ${JSON.stringify(retained)}`);
    L.assert(retained.some((m) => m.t === `${p}daemon/state` && m.pl === 'online'),
             'the daemon\'s retained state is still its own');
    L.ok(`nothing forged reached a subscriber (the daemon's account saw ${seen.length} messages), ` +
         `and a nurse connecting later gets only the daemon's ${retained.length} retained messages`);

    let anon = null;
    try {
      const c = await L.mqttClient(undefined, undefined);
      c.end(true);
    } catch (e) { anon = e; }
    L.assert(anon && /Not authorized|Bad User Name or Password/i.test(anon.message),
             `anonymous connection: ${anon && anon.message}`);
    let wrong = null;
    try {
      const c = await L.mqttClient('amira', daemonPassword);
      c.end(true);
    } catch (e) { wrong = e; }
    L.assert(wrong, 'amira with another account\'s password was let in');
    L.ok(`no anonymous access ("${anon.message}"), no sign-in with another's password`);

    const served = fs.readdirSync(path.join(L.TMP, 'broker', 'dashboard'));
    for (const f of ['passwd', 'acl', 'vitalsd-mqtt-password'])
      L.assert(!served.includes(f), `${f} is in the served folder`);
    const status = await page.evaluate(async () =>
      (await fetch('/../vitalsd-mqtt-password').catch(() => ({ status: 'error' }))).status);
    L.assert(status !== 200, `the daemon's password file is served: ${status}`);
    L.ok(`the served folder holds only the page (a GET of ../vitalsd-mqtt-password: ${status})`);
  } finally {
    watcher.end(true);
    ben.end(true);
    await ctx.close();
  }
});
