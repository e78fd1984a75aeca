// SPDX-License-Identifier: MIT
// Helpers of the dashboard's browser tests: Debian's chromium driven by playwright-core (never a
// browser that Playwright downloads), sign-in, waits with deadlines, screenshots, MQTT clients.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');
const mqtt = require('mqtt');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run the test through its .sh)`);
  return v;
};

const WS_PORT = Number(process.env.VSD_WS_PORT || 0);
const MQTT_PORT = Number(process.env.VSD_MQTT_PORT || 0);
const TMP = process.env.VSD_TMP || os.tmpdir();
const ARTIFACTS = process.env.VSD_ARTIFACTS || TMP;
const URL = `http://127.0.0.1:${WS_PORT}/`;
const ACCOUNTS = { amira: 'amira-demo', ben: 'ben-demo', chen: 'chen-demo' };

let passed = 0;
const t0 = Date.now();
const stamp = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6) + 's';

function fail(msg) {
  const e = new Error(msg);
  e.testFailure = true;
  throw e;
}

function ok(msg) {
  passed += 1;
  console.log(`${stamp()} ok: ${msg}`);
}

function info(msg) {
  console.log(`${stamp()} .. ${msg}`);
}

function assert(cond, msg) {
  if (!cond) fail(msg);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// waitFor(what, fn, ms): poll fn (async allowed) every 50 ms until it returns a truthy value.
async function waitFor(what, fn, ms) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) fail(`timed out after ${ms} ms waiting for: ${what}` +
                                (last ? ` (last: ${JSON.stringify(last)})` : ''));
    await sleep(50);
  }
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

// A fresh profile in the test's folder for every launch; extra args for TLS trust.
async function launch(extraArgs = [], extraEnv = {}) {
  const profile = fs.mkdtempSync(path.join(TMP, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS.concat(extraArgs),
    viewport: { width: 1920, height: 1080 },
    env: Object.assign({}, process.env, extraEnv),
  });
  context.setDefaultTimeout(15000);
  return context;
}

async function newPage(context, logName) {
  const page = await context.newPage();
  const log = path.join(TMP, `${logName || 'page'}-console.log`);
  page.on('console', (m) => fs.appendFileSync(log, `${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => {
    fs.appendFileSync(log, `pageerror: ${e.message}\n`);
    console.log(`page error: ${e.message}`);
  });
  return page;
}

async function signIn(page, user, password, { sound = true, url = URL } = {}) {
  await page.goto(url);
  await page.fill('#signin-user', user);
  await page.fill('#signin-password', password);
  await page.setChecked('#signin-sound', sound);
  await page.click('#signin-submit');
}

async function signedIn(page, ms = 10000) {
  await waitFor('the page to sign in', () => page.evaluate(() =>
    document.body.classList.contains('signed-in') && window.vsdDashboard.connected), ms);
}

async function shot(page, name, width, height) {
  await page.setViewportSize({ width, height });
  await sleep(400);
  const file = path.join(ARTIFACTS, `${name}-${width}x${height}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(`${stamp()} screenshot: ${file}`);
  return file;
}

// An MQTT client as the browser would be one: over websockets, MQTT 5, with an account.
function mqttClient(user, password, url = `ws://127.0.0.1:${WS_PORT}/mqtt`, extra = {}) {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, Object.assign({
      username: user, password, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000,
      clientId: `vsd-test-${user}-${Math.random().toString(16).slice(2, 8)}`,
    }, extra));
    c.once('connect', () => resolve(c));
    c.once('error', (e) => { c.end(true); reject(e); });
  });
}

function sql(query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(TMP, 'vitalsd.db'), query],
                      { encoding: 'utf8' }).trim();
}

// run(main): the test's body; closing line in the form ctest's log readers know.
function run(main) {
  main().then(() => {
    console.log(`${passed} passed, 0 failed`);
    process.exit(0);
  }, (e) => {
    console.log(`FAIL: ${e.testFailure ? e.message : e.stack}`);
    console.log(`${passed} passed, 1 failed`);
    process.exit(1);
  });
}

module.exports = { env, WS_PORT, MQTT_PORT, TMP, ARTIFACTS, URL, ACCOUNTS, fail, ok, info,
  assert, sleep, waitFor, launch, newPage, signIn, signedIn, shot, mqttClient, sql, run, stamp };
