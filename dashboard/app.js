/* SPDX-License-Identifier: MIT */
/* vitalsd's dashboard: MQTT over websockets (the mqtt package's browser build), no framework.
 *
 * What comes in (docs/alarms.md): vitals/<area>/bed/<bed>/readings (live values),
 * .../bed/<bed>/alert (alert events) and .../bed/<bed>/alerts (the retained active list),
 * daemon/alert(s), escalation, device/<device>/status, daemon/state ("online"; the last will
 * "offline"; "failed" from vitalsd-failed.service when systemd gave up restarting it) and reply/<user>. What goes out: commands on vitals/<area>/command/<user>.
 * Alert events are ordered by seq: the retained list is the truth up to its seq, and only
 * newer events are applied on top of it, the newest per alert. */
(function () {
  'use strict';

  /* ------------------------------------------------------------------ constants */

  var RANK = { high: 3, medium: 2, low: 1 };
  var ICON = { high: '!!!', medium: '!!', low: '!' };
  var TECH_ICON = '\u2699'; /* a gear: technical, the equipment and not the patient */
  var ROWS = ['hr', 'spo2', 'nibp', 'rr', 'etco2']; /* etco2: only at chairs with capnography */
  var LABEL = { hr: 'HR', pr: 'Pulse', spo2: 'SpO\u2082', nibp: 'NIBP', rr: 'RR',
                nibp_sys: 'NIBP sys', nibp_dia: 'NIBP dia', nibp_mean: 'NIBP mean',
                etco2: 'EtCO\u2082' };
  var UNIT = { hr: 'bpm', pr: 'bpm', spo2: '%', nibp: 'mmHg', rr: '/min', nibp_sys: 'mmHg',
               nibp_dia: 'mmHg', nibp_mean: 'mmHg', etco2: 'mmHg' };
  var UNUSABLE = ['invalid', 'sensor_off', 'implausible', 'searching'];
  var QUALITY_TEXT = { invalid: 'invalid', sensor_off: 'probe off', implausible: 'implausible',
                       searching: 'searching', artifact: 'artifact',
                       low_perfusion: 'low perfusion', apnea: 'apnea',
                       wrong_device: 'wrong device' };
  var TECH_TEXT = {
    comms_loss: 'Monitor not answering', comms_degraded: 'Garbled data from the monitor',
    wrong_device: 'Another monitor on this chair\'s port: call the technician',
    sensor_off: 'Probe off', invalid: 'No valid values', nibp_overdue: 'Cuff measurement overdue',
    storage_failing: 'Storage failing', queue_overflow: 'Readings lost',
    alert_path_down: 'Alert path down', broker_lost: 'This screen lost the broker',
    daemon_offline: 'vitalsd is offline',
    daemon_failed: 'vitalsd has failed and is not restarting',
    link_lost: 'Area not monitored from here (link to the area lost)'
  };
  var STALE_GRACE_MS = 1000;   /* a value is stale when older than its device's poll + this */
  var TREND_MS = 30 * 60000;   /* the sparklines' window: the last 30 minutes... */
  var TREND_MIN_MS = 2 * 60000; /* ...or what there is of them, at least 2 minutes */
  var SLOT_MS = 10000;         /* one point per 10 s, as the daemon's trend command */
  var REPLY_TIMEOUT_MS = 10000;

  /* ------------------------------------------------------------------ state */

  var config = readConfig();
  var S = {
    user: null, client: null, signedIn: false, connected: false, lostSince: null,
    area: config.area, daemon: 'unknown', daemonSince: null,
    beds: {}, devices: {}, daemonAlerts: newAlertSet(),
    pending: {}, requests: 0, skew: 0,
    trend: { requested: false, loaded: false, error: null, at: null },
    highSeen: {}, alertsSignature: '', firstConnect: true,
    central: config.central, areas: {} /* central: per area, its daemon and its link */
  };

  /* The broker: as given, else the host and port that served this page (none for a page opened
   * from a file: then index.html's data-broker or ?broker= must name it). */
  function readConfig() {
    var params = new URLSearchParams(location.search);
    var dflt = location.host
      ? (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/mqtt' : '';
    /* The central view (docs/deployment.md): every area bridged to this broker, read only. */
    var central = params.get('central') === '1' || document.body.dataset.central === '1';
    return {
      broker: params.get('broker') || document.body.dataset.broker || dflt,
      area: central ? '+' : params.get('area') || document.body.dataset.area || '',
      central: central
    };
  }

  function newAlertSet() {
    return { listSeq: -1, list: [], events: {} };
  }

  function newBed(name) {
    return { name: name, session: undefined, vitals: {}, trend: {}, alerts: newAlertSet(),
             tile: null };
  }

  function bedOf(name) {
    if (!S.beds[name]) {
      S.beds[name] = newBed(name);
      placeTile(S.beds[name]);
    }
    return S.beds[name];
  }

  /* ------------------------------------------------------------------ small helpers */

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svgEl(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function clockText(ms) {
    var d = new Date(ms);
    return [d.getHours(), d.getMinutes(), d.getSeconds()]
      .map(function (n) { return String(n).padStart(2, '0'); }).join(':');
  }

  function ageText(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function naturalCompare(a, b) {
    return a.localeCompare(b, undefined, { numeric: true });
  }

  function usable(r) {
    return r && typeof r.value === 'number' &&
      !(r.quality || []).some(function (q) { return UNUSABLE.indexOf(q) >= 0; });
  }

  function number(v) {
    return String(Math.round(v * 10) / 10);
  }

  /* ------------------------------------------------------------------ alerts */

  /* The retained list is the truth up to its seq; a lower seq means a daemon with a new
   * database: forget the events seen before. */
  function applyList(set, msg) {
    if (typeof msg.seq !== 'number') return;
    if (msg.seq < set.listSeq) set.events = {};
    set.listSeq = msg.seq;
    set.list = Array.isArray(msg.alerts) ? msg.alerts : [];
    Object.keys(set.events).forEach(function (id) {
      if (set.events[id].seq <= set.listSeq) delete set.events[id];
    });
  }

  /* An event newer than the list and than what we have for its alert replaces it. */
  function applyEvent(set, ev) {
    if (typeof ev.seq !== 'number' || !ev.alert_id || ev.seq <= set.listSeq) return false;
    var old = set.events[ev.alert_id];
    if (old && old.seq >= ev.seq) return false;
    set.events[ev.alert_id] = ev;
    return true;
  }

  function activeAlerts(set, bedName) {
    var byId = {};
    set.list.forEach(function (a) { byId[a.alert_id] = a; });
    Object.keys(set.events).forEach(function (id) {
      var ev = set.events[id];
      if (ev.state === 'cleared') delete byId[id];
      else byId[id] = ev;
    });
    return Object.keys(byId).map(function (id) {
      var a = Object.assign({}, byId[id]);
      a.bed = bedName;
      return a;
    });
  }

  /* The page's own technical alerts: a screen that is not live must never look calm. */
  function localAlerts() {
    var out = [];
    if (S.signedIn && !S.connected)
      out.push(localAlert('broker_lost', S.lostSince,
                          'no readings and no alerts reach this screen'));
    else if (S.signedIn && S.central)
      return areaAlerts();
    else if (S.signedIn && daemonDown())
      out.push(localAlert('daemon_' + S.daemon, S.daemonSince,
                          'no readings are taken and no alerts are raised'));
    return out;
  }

  /* Central view: an area whose vitalsd is down, or whose link to this broker is lost, is
   * not watched from here: never a quiet area. */
  function areaAlerts() {
    var out = [];
    Object.keys(S.areas).sort(naturalCompare).forEach(function (name) {
      var a = S.areas[name], item = null;
      if (a.link === '0')
        item = localAlert('link_lost', a.linkSince, 'its alerts do not reach this screen; ' +
                          'the area\'s own dashboard still has them');
      else if (a.daemon === 'offline' || a.daemon === 'failed')
        item = localAlert('daemon_' + a.daemon, a.since,
                          'no readings are taken and no alerts are raised in this area');
      if (item) { item.bed = 'area ' + name; item.alert_id += '-' + name; out.push(item); }
    });
    return out;
  }

  function localAlert(code, since, detail) {
    return { alert_id: 'local-' + code + '-' + since, local: true, kind: 'technical', code: code,
             priority: 'high', condition: true, acknowledged: false, escalation: 0,
             raised: new Date(since || Date.now()).toISOString(), bed: 'this screen',
             detail: detail, value: null, limit: null };
  }

  function allAlerts() {
    var out = [];
    Object.keys(S.beds).forEach(function (name) {
      out = out.concat(activeAlerts(S.beds[name].alerts, name));
    });
    out = out.concat(activeAlerts(S.daemonAlerts, 'vitalsd'));
    Object.keys(S.areas).forEach(function (name) {
      out = out.concat(activeAlerts(S.areas[name].alerts, 'vitalsd of ' + name));
    });
    return out.concat(localAlerts());
  }

  /* Highest priority first, then newest. */
  function byUrgency(a, b) {
    return (RANK[b.priority] || 0) - (RANK[a.priority] || 0) ||
      Date.parse(b.raised || 0) - Date.parse(a.raised || 0);
  }

  function stateOf(a) {
    if (!a.condition) return 'latched';
    return a.acknowledged ? 'acknowledged' : 'active';
  }

  function stateText(a) {
    if (a.local) return 'active until the connection is back';
    if (!a.condition) return 'condition ended: acknowledge';
    if (a.acknowledged)
      return 'acknowledged by ' + a.acknowledged_by +
        (a.acknowledged_at ? ' at ' + clockText(Date.parse(a.acknowledged_at)) : '');
    return 'active, not acknowledged';
  }

  /* An alert's own unit: an apnea's value and limit are seconds without a breath. */
  function alertUnit(a) {
    return a.code === 'apnea' ? 's' : UNIT[a.vital] || '';
  }

  function limitText(a) {
    if (typeof a.limit !== 'number') return '';
    var unit = alertUnit(a);
    var sign = { low: '< ', high: '> ', rise: 'rise > ', fall: 'fall > ',
                 apnea: 'no breath for ' }[a.code] || '';
    return sign + number(a.limit) + (unit ? ' ' + unit : '');
  }

  function describe(a) {
    if (a.kind === 'technical') {
      var what = TECH_TEXT[a.code] || a.code;
      if (a.vital) what += ' (' + (LABEL[a.vital] || a.vital) + ')';
      return what;
    }
    var label = LABEL[a.vital] || a.vital || '';
    var dir = { low: 'low', high: 'high', rise: 'rising fast', fall: 'falling fast',
                apnea: 'APNEA (no breath)' }[a.code];
    /* the bed's one heart rate, measured by the oximeter when the ECG gives none */
    var source = a.source && a.source !== a.vital ? ' (measured as ' + (LABEL[a.source] ||
                                                    a.source) + ')' : '';
    return label + ' ' + (dir || a.code) + source;
  }

  /* ------------------------------------------------------------------ readings and trend */

  function onReadings(bed, msg) {
    var now = Date.now();
    var t = Date.parse(msg.time);
    if (!isNaN(t)) S.skew = t - now;
    if ('session' in msg) bed.session = msg.session;
    (msg.readings || []).forEach(function (r) {
      var measured = r.measured ? Date.parse(r.measured) : null;
      bed.vitals[r.vital] = { value: r.value, unit: r.unit, quality: r.quality || [], at: now,
                              time: t, measured: measured, device: msg.device };
      if (usable(r)) addPoint(bed, r.vital, measured || t, r.value);
    });
  }

  function addPoint(bed, vital, t, v) {
    var s = bed.trend[vital] || (bed.trend[vital] = []);
    var last = s[s.length - 1];
    if (last && Math.floor(last[0] / SLOT_MS) === Math.floor(t / SLOT_MS)) {
      if (t >= last[0]) { last[0] = t; last[1] = v; }
    } else if (!last || t > last[0]) {
      s.push([t, v]);
    }
    while (s.length && s[0][0] < t - TREND_MS) s.shift();
  }

  /* The daemon's answer to "trend": its stored points, then what came live since. */
  function onTrend(reply) {
    var beds = reply.beds || {};
    Object.keys(beds).forEach(function (name) {
      var bed = bedOf(name);
      Object.keys(beds[name]).forEach(function (vital) {
        var stored = (beds[name][vital] || []).filter(function (p) {
          return Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number';
        });
        var last = stored.length ? stored[stored.length - 1][0] : -Infinity;
        var live = (bed.trend[vital] || []).filter(function (p) {
          return Math.floor(p[0] / SLOT_MS) > Math.floor(last / SLOT_MS);
        });
        bed.trend[vital] = stored.concat(live);
      });
      renderBed(bed);
    });
    S.trend.loaded = true;
    S.trend.at = Date.now();
  }

  /* ------------------------------------------------------------------ what a tile shows */

  function pollMs(reading) {
    var d = reading && S.devices[reading.device];
    return d && typeof d.poll_ms === 'number' ? d.poll_ms : 1000;
  }

  function ageOf(reading, now) {
    return now - reading.at;
  }

  function isStale(reading, now) {
    return ageOf(reading, now) > pollMs(reading) + STALE_GRACE_MS;
  }

  /* The heart rate: the ECG's when it has a usable, fresh one, else the oximeter's pulse. */
  function heartSource(bed, now) {
    var hr = bed.vitals.hr, pr = bed.vitals.pr;
    var good = function (r) { return r && usable(r) && !isStale(r, now); };
    if (!hr || (!good(hr) && good(pr))) return pr ? 'pr' : 'hr';
    return 'hr';
  }

  /* {value, note, state: 'ok'|'stale'|'missing'|'unusable', age} for one plain vital. */
  function plainView(reading, now) {
    if (!reading) return { value: '\u2013', note: 'not measured', state: 'missing' };
    var stale = isStale(reading, now);
    var flags = (reading.quality || []).map(function (q) { return QUALITY_TEXT[q] || q; });
    var view = usable(reading)
      ? { value: number(reading.value), note: flags.join(', '), state: 'ok' }
      : { value: '\u2013', note: flags.join(', ') || 'no value', state: 'unusable' };
    if (stale) {
      view.state = 'stale';
      view.note = (view.note ? view.note + ', ' : '') + ageText(ageOf(reading, now)) + ' old';
    }
    return view;
  }

  function nibpView(bed, now) {
    var sys = bed.vitals.nibp_sys, dia = bed.vitals.nibp_dia, mean = bed.vitals.nibp_mean;
    if (!sys && !dia) return { value: '\u2013', note: 'not measured', state: 'missing' };
    var r = sys || dia;
    var view = plainView(r, now);
    var parts = [];
    if (usable(sys) && usable(dia)) {
      view.value = number(sys.value) + '/' + number(dia.value);
      if (usable(mean)) parts.push('mean ' + number(mean.value));
    } else {
      view.value = '\u2013';
      if (view.state === 'ok') view.state = 'unusable';
      parts.push(view.note);
    }
    if (r.measured) parts.push('cuff ' + ageText((now - r.at) + (r.time - r.measured)) + ' ago');
    if (view.state === 'stale') parts.unshift(ageText(ageOf(r, now)) + ' old');
    view.note = parts.filter(Boolean).join(' \u00b7 ');
    return view;
  }

  function tilePriority(alerts) {
    var top = alerts.slice().sort(byUrgency)[0];
    return top || null;
  }

  /* ------------------------------------------------------------------ tiles */

  function placeTile(bed) {
    var ward = $('ward');
    bed.tile = buildTile(bed);
    var names = Object.keys(S.beds).sort(naturalCompare);
    var next = names[names.indexOf(bed.name) + 1];
    ward.insertBefore(bed.tile.root, next && S.beds[next].tile ? S.beds[next].tile.root : null);
  }

  function buildTile(bed) {
    var root = el('article', 'tile prio-none');
    root.id = 'tile-' + bed.name;
    root.dataset.bed = bed.name;
    root.dataset.priority = 'none';
    var head = el('div', 'tile-head');
    var name = el('h2', 'bed-name', bed.name);
    var session = el('span', 'session', '');
    head.append(name, session);
    var badge = el('div', 'badge');
    var icon = el('span', 'badge-icon', '');
    var text = el('span', 'badge-text', '');
    badge.append(icon, text);
    var tech = el('ul', 'tech');
    var vitals = el('div', 'vitals');
    var rows = {};
    ROWS.forEach(function (v) { rows[v] = buildRow(v); vitals.append(rows[v].root); });
    var foot = el('div', 'tile-foot');
    var span = el('span', 'trend-span', '');
    var visit = el('button', 'visit', 'Start visit');
    visit.type = 'button';
    visit.addEventListener('click', function () { openVisitDialog(bed); });
    foot.append(span, visit);
    root.append(head, badge, tech, vitals, foot);
    return { root: root, session: session, badge: badge, icon: icon, text: text, tech: tech,
             rows: rows, visit: visit, span: span };
  }

  function buildRow(vital) {
    var root = el('div', 'vital');
    root.dataset.vital = vital;
    var label = el('span', 'v-label', LABEL[vital]);
    var value = el('span', 'v-value', '\u2013');
    var unit = el('span', 'v-unit', UNIT[vital]);
    var note = el('span', 'v-note', '');
    var spark = svgEl('svg', { class: 'spark', viewBox: '0 0 100 30',
                               preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    root.append(label, value, unit, note, spark);
    return { root: root, label: label, value: value, unit: unit, note: note,
             spark: spark };
  }

  function renderBed(bed) {
    var now = Date.now();
    var alerts = activeAlerts(bed.alerts, bed.name);
    var span = trendSpan(bed, now + S.skew);
    renderHead(bed);
    renderBadge(bed, alerts);
    renderTech(bed, alerts);
    ROWS.forEach(function (v) { renderRow(bed, v, alerts, now, span); });
    bed.tile.span.textContent = 'trend: last ' + Math.round(span / 60000) + ' min';
  }

  /* The sparklines' time span: from the bed's oldest point, at least 2 and at most 30 min. */
  function trendSpan(bed, end) {
    var oldest = end;
    Object.keys(bed.trend).forEach(function (v) {
      var s = bed.trend[v];
      if (s.length && s[0][0] < oldest) oldest = s[0][0];
    });
    return Math.min(TREND_MS, Math.max(TREND_MIN_MS, Math.ceil((end - oldest) / 60000) * 60000));
  }

  function renderHead(bed) {
    var t = bed.tile;
    var open = typeof bed.session === 'string' && bed.session !== '';
    t.session.textContent = bed.session === undefined ? '' : open ? bed.session : 'no visit';
    t.session.classList.toggle('none', !open);
    t.visit.textContent = open ? 'End visit' : 'Start visit';
    t.visit.dataset.action = open ? 'end' : 'start';
    t.visit.disabled = bed.session === undefined;
  }

  function renderBadge(bed, alerts) {
    var t = bed.tile, top = tilePriority(alerts);
    var prio = top ? top.priority : 'none';
    var technical = !!top && alerts.every(function (a) {
      return a.priority !== top.priority || a.kind === 'technical';
    });
    t.root.className = 'tile prio-' + prio + (technical ? ' technical' : '') +
      (top && alerts.some(function (a) { return !a.acknowledged; }) ? ' unacked' : '');
    t.root.dataset.priority = prio;
    t.root.dataset.kind = top ? (technical ? 'technical' : 'physiological') : '';
    if (!top) {
      t.icon.textContent = '\u2713';
      t.text.textContent = 'No alert';
      return;
    }
    t.icon.textContent = (technical ? TECH_ICON + ' ' : '') + ICON[prio];
    var more = alerts.length > 1 ? ' (+' + (alerts.length - 1) + ' more)' : '';
    var note = top.condition ? (top.acknowledged ? ' \u00b7 acknowledged' : '')
                             : ' \u00b7 condition ended';
    /* "HIGH SpO2 low < 90 %", "MEDIUM TECHNICAL Probe off (SpO2)" */
    t.text.textContent = prio.toUpperCase() + (technical ? ' TECHNICAL' : '') + ' ' +
      describe(top) + (limitText(top) ? ' ' + limitText(top) : '') + note + more;
  }

  /* Technical states written on the tile: its technical alerts, and monitors reported down
   * (with the reason the daemon gives) that no alert names yet. */
  function renderTech(bed, alerts) {
    var tech = alerts.filter(function (a) { return a.kind === 'technical'; }).sort(byUrgency);
    var lines = tech.map(function (a) {
      var d = a.device && S.devices[a.device];
      var why = a.code === 'comms_loss' && d && d.state === 'down' && d.error ? ': ' + d.error : '';
      return TECH_ICON + ' ' + describe(a) + (a.device ? ' \u00b7 ' + a.device : '') + why;
    });
    Object.keys(S.devices).sort().forEach(function (name) {
      var d = S.devices[name];
      var named = tech.some(function (a) { return a.device === name && a.code === 'comms_loss'; });
      if (d.bed === bed.name && d.state === 'down' && !named)
        lines.push(TECH_ICON + ' ' + name + ' down' + (d.error ? ': ' + d.error : ''));
    });
    var t = bed.tile;
    var text = lines.join('\n');
    if (t.tech.dataset.text === text) return;
    t.tech.dataset.text = text;
    t.tech.replaceChildren.apply(t.tech, lines.map(function (l) { return el('li', '', l); }));
  }

  function rowAlert(row, alerts) {
    var names = { nibp: ['nibp_sys', 'nibp_dia', 'nibp_mean'], hr: ['hr', 'pr'] }[row] || [row];
    return alerts.filter(function (a) {
      return a.kind !== 'technical' && names.indexOf(a.vital) >= 0;
    }).sort(byUrgency)[0];
  }

  function renderRow(bed, row, alerts, now, span) {
    var r = bed.tile.rows[row];
    var vital = row === 'hr' ? heartSource(bed, now) : row;
    var view = row === 'nibp' ? nibpView(bed, now) : plainView(bed.vitals[vital], now);
    var alarm = rowAlert(row, alerts);
    /* a row for a vital no monitor at this chair measures (EtCO2 without capnography) stays
     * hidden; once measured it stays, so a capnograph that stops shows as missing */
    r.root.hidden = row === 'etco2' && !bed.vitals.etco2 && !(bed.trend.etco2 || []).length;
    r.label.textContent = LABEL[vital];
    r.unit.textContent = UNIT[vital];
    r.value.textContent = view.value;
    r.note.textContent = view.note || '';
    r.root.className = 'vital state-' + view.state + (alarm ? ' alarm-' + alarm.priority : '');
    r.root.dataset.source = vital;
    var series = row === 'nibp' ? ['nibp_sys', 'nibp_dia'] : [vital];
    drawSpark(r.spark, series.map(function (v) { return bed.trend[v] || []; }), now + S.skew,
              span);
  }

  /* A line per series over the last SPAN ms; a gap of more than 30 s breaks the line. */
  function drawSpark(svg, series, end, span) {
    var start = end - span;
    var all = [].concat.apply([], series).filter(function (p) { return p[0] >= start; });
    /* redrawn when a point or the span changed, or every 10 s as the window moves on */
    var sig = [all.length, all.length && all[all.length - 1].join(':'), span,
               Math.floor(end / SLOT_MS)].join('|');
    if (svg.dataset.sig === sig) return;
    svg.dataset.sig = sig;
    svg.dataset.points = String(all.length);
    if (!all.length) { svg.replaceChildren(); return; }
    var lo = Math.min.apply(null, all.map(function (p) { return p[1]; }));
    var hi = Math.max.apply(null, all.map(function (p) { return p[1]; }));
    if (hi - lo < 4) { lo -= 2; hi += 2; }
    var x = function (t) { return ((t - start) / span * 100).toFixed(2); };
    var y = function (v) { return (28 - (v - lo) / (hi - lo) * 26).toFixed(2); };
    var shapes = [];
    series.forEach(function (s) {
      pieces(s.filter(function (p) { return p[0] >= start; })).forEach(function (piece) {
        var pts = piece.map(function (p) { return x(p[0]) + ',' + y(p[1]); });
        if (pts.length === 1) pts.push((parseFloat(x(piece[0][0])) + 0.8) + ',' + y(piece[0][1]));
        shapes.push(svgEl('polyline', { points: pts.join(' '),
                                        'vector-effect': 'non-scaling-stroke' }));
      });
    });
    svg.replaceChildren.apply(svg, shapes);
  }

  function pieces(points) {
    var out = [], cur = [];
    points.forEach(function (p, i) {
      if (i && p[0] - points[i - 1][0] > 30000 + SLOT_MS) { out.push(cur); cur = []; }
      cur.push(p);
    });
    if (cur.length) out.push(cur);
    return out;
  }

  /* ------------------------------------------------------------------ the alert list */

  function renderAlerts() {
    var alerts = allAlerts().sort(byUrgency);
    var signature = JSON.stringify(alerts.map(function (a) {
      return [a.alert_id, a.priority, stateOf(a), a.acknowledged_by, a.escalation, a.value];
    }));
    $('alerts-count').textContent = alerts.length ? '(' + alerts.length + ')' : '';
    $('alerts-none').hidden = alerts.length > 0;
    if (signature === S.alertsSignature) return;
    S.alertsSignature = signature;
    var list = $('alert-list');
    list.replaceChildren.apply(list, alerts.map(alertItem));
  }

  function alertItem(a) {
    var li = el('li', 'alert prio-' + a.priority + ' ' + a.kind + ' state-' + stateOf(a) +
                (a.local ? ' local' : ''));
    li.dataset.alertId = a.alert_id;
    li.dataset.bed = a.bed;
    li.dataset.state = stateOf(a);
    var head = el('div', 'a-head');
    head.append(el('span', 'a-prio', (a.kind === 'technical' ? TECH_ICON + ' ' : '') +
                   ICON[a.priority] + ' ' + String(a.priority).toUpperCase()),
                el('span', 'a-bed', a.bed), el('span', 'a-time', clockText(Date.parse(a.raised))));
    var what = el('div', 'a-what', (a.kind === 'technical' ? 'Technical: ' : '') + describe(a));
    var facts = el('div', 'a-facts', factsText(a));
    var state = el('div', 'a-state', stateText(a));
    li.append(head, what, facts, state);
    if (!a.local && !a.acknowledged && !S.central) li.append(ackButton(a));
    else if (!a.local && !a.acknowledged)
      li.append(el('div', 'a-where', 'Acknowledge on the area\'s own dashboard'));
    return li;
  }

  function factsText(a) {
    var parts = [];
    if (a.local) parts.push(a.detail);
    if (typeof a.value === 'number')
      parts.push('alert value ' + number(a.value) + (alertUnit(a) ? ' ' + alertUnit(a) : ''));
    if (limitText(a)) parts.push('limit ' + limitText(a));
    if (a.device) parts.push('device ' + a.device);
    if (a.session) parts.push('visit ' + a.session);
    if (a.escalation) parts.push('escalated: step ' + a.escalation);
    return parts.join(' \u00b7 ');
  }

  function ackButton(a) {
    var b = el('button', 'ack', 'Acknowledge');
    b.type = 'button';
    b.addEventListener('click', function () {
      b.disabled = true;
      sendCommand({ cmd: 'ack', alert: a.alert_id }, 'Acknowledge ' + a.bed + ' ' + describe(a),
                  function () { note('Acknowledged as ' + S.user + ': ' + a.bed + ', ' +
                                     describe(a)); },
                  function () { b.disabled = false; });
    });
    return b;
  }

  /* ------------------------------------------------------------------ banners, sound, clock */

  function banners() {
    var out = [];
    if (S.signedIn && !S.connected)
      out.push(['lost', 'NOT LIVE: this screen lost the broker at ' + clockText(S.lostSince) +
                ' (' + ageText(Date.now() - S.lostSince) + ' ago). Readings and alerts are NOT ' +
                'shown. Reconnecting\u2026']);
    if (S.central)
      return out.concat(areaBanners());
    if (S.signedIn && S.daemon === 'failed')
      out.push(['failed', 'vitalsd has FAILED and is not restarting' + (S.daemonSince ? ' (since ' +
                clockText(S.daemonSince) + ')' : '') + ': no readings are taken and NO ALERTS ' +
                'are raised. Watch the patients directly and call the biomedical technician.']);
    if (S.signedIn && S.daemon === 'offline')
      out.push(['offline', 'vitalsd is OFFLINE' + (S.daemonSince ? ' since ' +
                clockText(S.daemonSince) : '') + ': no readings are taken and NO ALERTS are ' +
                'raised. Watch the patients directly and call the technician.']);
    if (S.signedIn && S.connected && S.daemon === 'unknown' && S.area)
      out.push(['unknown', 'Waiting for vitalsd: it has not announced itself on this broker.']);
    activeAlerts(S.daemonAlerts, 'vitalsd').forEach(function (a) {
      var text = { alert_path_down: 'vitalsd reports the ALERT PATH DOWN: alerts may not reach ' +
                     'this screen.',
                   storage_failing: 'vitalsd reports STORAGE FAILING: readings are not being ' +
                     'recorded.',
                   queue_overflow: 'vitalsd reports READINGS LOST (queue overflow).' }[a.code];
      if (text) out.push([a.code, text + ' Raised ' + clockText(Date.parse(a.raised)) + '.']);
    });
    return out;
  }

  function areaBanners() {
    return areaAlerts().map(function (a) {
      var text = a.code === 'link_lost'
        ? 'Area ' + a.bed.slice(5) + ' is NOT MONITORED FROM HERE since ' +
          clockText(Date.parse(a.raised)) + ': its link to this broker is lost. Its own ' +
          'dashboard still shows its alerts.'
        : 'Area ' + a.bed.slice(5) + ': vitalsd is ' + (a.code === 'daemon_failed'
          ? 'FAILED and not restarting' : 'OFFLINE') + ': no readings are taken and NO ALERTS ' +
          'are raised there.';
      return [a.code, text];
    });
  }

  function renderBanners() {
    var list = banners();
    var box = $('banners');
    var text = JSON.stringify(list);
    document.body.classList.toggle('not-live', S.signedIn && (!S.connected || daemonDown()));
    if (box.dataset.text === text) return;
    box.dataset.text = text;
    box.replaceChildren.apply(box, list.map(function (b) {
      var d = el('div', 'banner banner-' + b[0], b[1]);
      d.dataset.kind = b[0];
      return d;
    }));
  }

  /* The sound follows the highest unacknowledged alert; a new high alert ends a pause. */
  function updateSound(alerts) {
    var open = alerts.filter(function (a) { return !a.acknowledged; });
    var top = open.sort(byUrgency)[0];
    var newHigh = false;
    open.forEach(function (a) {
      if (a.priority === 'high' && !S.highSeen[a.alert_id]) {
        S.highSeen[a.alert_id] = true;
        newHigh = true;
      }
    });
    if (newHigh && VsdAudio.paused()) VsdAudio.resume();
    VsdAudio.want(top ? top.priority : null);
  }

  function renderSound() {
    var a = window.vsdAudio;
    var box = $('sound'), stateEl = $('sound-state');
    var paused = a.paused_until !== null;
    var mode = !a.enabled ? 'off' : paused ? 'paused' : a.playing ? 'playing' : 'on';
    box.className = 'sound-' + mode;
    box.dataset.mode = mode;
    stateEl.textContent = {
      off: '\u2715 SOUND OFF',
      paused: 'SOUND PAUSED ' + countdown(a.paused_until - Date.now()),
      playing: '\u266A Sounding: ' + String(a.playing).toUpperCase(),
      on: '\u266A Sound on'
    }[mode];
    $('sound-on').hidden = a.enabled;
    $('sound-pause').hidden = !a.enabled || paused;
    $('sound-pause').disabled = !a.playing; /* a pause silences what sounds, never in advance */
    $('sound-resume').hidden = !a.enabled || !paused;
  }

  function countdown(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  function renderAll() {
    VsdAudio.tick();
    Object.keys(S.beds).forEach(function (n) { renderBed(S.beds[n]); });
    var alerts = allAlerts();
    updateSound(alerts);
    renderAlerts();
    renderBanners();
    renderSound();
    $('clock').textContent = clockText(Date.now());
  }

  /* Messages arrive many times a second: draw at most every 50 ms (a timer, not an animation
   * frame, so that a station whose window is hidden still keeps up). */
  var pendingDraw = null;
  function schedule() {
    if (pendingDraw === null)
      pendingDraw = setTimeout(function () { pendingDraw = null; renderAll(); }, 50);
  }

  /* ------------------------------------------------------------------ messages to the nurse */

  function note(text, isError) {
    var box = $('messages');
    var m = el('div', isError ? 'message error' : 'message', text);
    var close = el('button', 'close', '\u00d7');
    close.type = 'button';
    close.setAttribute('aria-label', 'close');
    close.addEventListener('click', function () { m.remove(); });
    m.append(close);
    box.prepend(m);
    while (box.children.length > 3) box.lastChild.remove();
    setTimeout(function () { m.remove(); }, isError ? 30000 : 6000);
  }

  /* ------------------------------------------------------------------ commands */

  function sendCommand(body, what, onOk, onFail) {
    if (!S.client || !S.connected) {
      note(what + ': not sent, this screen is not connected to the broker.', true);
      if (onFail) onFail();
      return;
    }
    var id = S.user + '-' + Date.now().toString(36) + '-' + (++S.requests);
    body.request_id = id;
    var fail = function (why) {
      if (!S.pending[id]) return;
      clearTimeout(S.pending[id].timer);
      delete S.pending[id];
      note(what + ': ' + why, true);
      if (onFail) onFail();
    };
    S.pending[id] = {
      what: what, onOk: onOk, fail: fail,
      timer: setTimeout(function () {
        fail('no answer from vitalsd within ' + REPLY_TIMEOUT_MS / 1000 + ' s.');
      }, REPLY_TIMEOUT_MS)
    };
    S.client.publish('vitals/' + S.area + '/command/' + S.user, JSON.stringify(body),
                     { qos: 1, retain: false }, function (err) {
                       if (err) fail('the broker refused it (' + err.message + ').');
                     });
  }

  function onReply(msg) {
    var p = S.pending[msg.request_id];
    if (!p) return;
    if (!msg.ok) { p.fail('refused by vitalsd: ' + (msg.error || 'no reason given')); return; }
    clearTimeout(p.timer);
    delete S.pending[msg.request_id];
    if (p.onOk) p.onOk(msg);
  }

  function requestSessions() {
    if (S.central) return; /* commands stay at the area (docs/deployment.md) */
    sendCommand({ cmd: 'session_list' }, 'Reading the open visits', function (reply) {
      (reply.beds || []).forEach(function (b) {
        bedOf(b.bed).session = b.session || null;
      });
      schedule();
    });
  }

  function requestTrend() {
    if (S.central) { S.trend.error = 'central view: trends from the page\'s start'; return; }
    S.trend.requested = true;
    sendCommand({ cmd: 'trend', minutes: 30 }, 'Reading the last 30 minutes', onTrend,
                function () { S.trend.error = 'no trend from vitalsd'; });
  }

  /* ------------------------------------------------------------------ start and end a visit */

  var visitBed = null;

  function openVisitDialog(bed) {
    visitBed = bed;
    var start = !(typeof bed.session === 'string' && bed.session);
    $('visit-title').textContent = (start ? 'Start a visit at ' : 'End the visit at ') + bed.name;
    $('visit-text').textContent = start ? '' : 'End visit ' + bed.session + ' at ' + bed.name +
      '? Its readings stay recorded; new ones are kept without a visit.';
    $('visit-label').hidden = !start;
    $('visit-session').hidden = !start;
    $('visit-session').required = start;
    $('visit-session').value = '';
    $('visit-error').textContent = '';
    $('visit-form').dataset.action = start ? 'start' : 'end';
    $('visit-dialog').showModal();
    if (start) $('visit-session').focus();
  }

  function submitVisit(ev) {
    ev.preventDefault();
    var bed = visitBed, start = $('visit-form').dataset.action === 'start';
    var session = $('visit-session').value.trim();
    if (start && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(session)) {
      $('visit-error').textContent = 'A session id is 1-64 letters and digits (then - _ .), ' +
        'as the clinic\'s system issued it: never a name.';
      return;
    }
    $('visit-dialog').close();
    if (start)
      sendCommand({ cmd: 'session_start', bed: bed.name, session: session },
                  'Start visit ' + session + ' at ' + bed.name, function () {
                    note('Visit ' + session + ' started at ' + bed.name + ' by ' + S.user);
                    requestSessions();
                  });
    else
      sendCommand({ cmd: 'session_end', bed: bed.name, session: bed.session },
                  'End visit ' + bed.session + ' at ' + bed.name, function (r) {
                    note('Visit ' + (r.session || '') + ' ended at ' + bed.name + ' by ' + S.user);
                    requestSessions();
                  });
  }

  /* ------------------------------------------------------------------ MQTT */

  function topics(area) {
    var p = 'vitals/' + area + '/';
    return {
      [p + 'daemon/state']: { qos: 1 }, [p + 'daemon/alerts']: { qos: 1 },
      [p + 'daemon/alert']: { qos: 1 }, [p + 'bed/+/alerts']: { qos: 1 },
      [p + 'bed/+/alert']: { qos: 1 }, [p + 'bed/+/readings']: { qos: 0 },
      [p + 'device/+/status']: { qos: 1 }, [p + 'escalation']: { qos: 1 },
      [p + (S.central ? 'bridge/state' : 'reply/' + S.user)]: { qos: 1 }
    };
  }

  function onMessage(topic, payload) {
    var parts = topic.split('/');
    if (parts[0] !== 'vitals' || parts.length < 3) return;
    if (!S.area) { discoverArea(parts[1], parts.slice(2).join('/')); return; }
    if (parts[1] !== S.area && !S.central) return;
    var text = new TextDecoder().decode(payload);
    if (!text) return; /* an emptied retained topic */
    if (S.central) routeCentral(parts[1], parts.slice(2), text);
    else route(parts.slice(2), text);
    schedule();
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function route(p, text) {
    if (p.join('/') === 'daemon/state') return onDaemonState(text);
    var msg = parse(text);
    if (msg && typeof msg === 'object') routeMsg(p, msg);
  }

  function routeMsg(p, msg) {
    var leaf = p.join('/');
    if (leaf === 'daemon/alerts') return applyList(S.daemonAlerts, msg);
    if (leaf === 'daemon/alert') return applyEvent(S.daemonAlerts, msg);
    if (leaf === 'escalation')
      return applyEvent(msg.bed ? bedOf(msg.bed).alerts : S.daemonAlerts, msg);
    if (p[0] === 'reply') return onReply(msg);
    if (p[0] === 'device' && p[2] === 'status') return onDevice(p[1], msg);
    if (p[0] !== 'bed' || p.length !== 3) return;
    var bed = bedOf(p[1]);
    if (p[2] === 'readings') onReadings(bed, msg);
    else if (p[2] === 'alerts') { applyList(bed.alerts, msg); bed.session = msg.session; }
    else if (p[2] === 'alert') applyEvent(bed.alerts, msg);
  }

  /* Central view: beds and devices are named AREA/NAME, and each area keeps its own daemon
   * state, link state and daemon alerts. */
  function routeCentral(area, p, text) {
    var a = S.areas[area] || (S.areas[area] = { daemon: 'unknown', since: null, link: null,
                                                linkSince: null, alerts: newAlertSet() });
    var leaf = p.join('/');
    if (leaf === 'daemon/state' || leaf === 'bridge/state') {
      var key = leaf === 'daemon/state' ? 'daemon' : 'link';
      var since = key === 'daemon' ? 'since' : 'linkSince';
      if (text !== a[key]) a[since] = Date.now();
      a[key] = text;
      return;
    }
    var msg = parse(text);
    if (!msg || typeof msg !== 'object') return;
    scope(area, msg);
    (msg.alerts || []).forEach(function (x) { scope(area, x); });
    if (leaf === 'daemon/alerts') return applyList(a.alerts, msg);
    if (leaf === 'daemon/alert') return applyEvent(a.alerts, msg);
    if (leaf === 'escalation' && !msg.bed) return applyEvent(a.alerts, msg);
    if (p[0] === 'device' || p[0] === 'bed') p[1] = area + '/' + p[1];
    routeMsg(p, msg);
  }

  function scope(area, msg) {
    if (msg && typeof msg.bed === 'string') msg.bed = area + '/' + msg.bed;
    if (msg && typeof msg.device === 'string') msg.device = area + '/' + msg.device;
  }

  /* "failed": systemd gave up restarting vitalsd (vitalsd-failed.service); its "online" at the
   * next start replaces it. */
  function onDaemonState(text) {
    if (text !== S.daemon) S.daemonSince = Date.now();
    S.daemon = ['online', 'offline', 'failed'].indexOf(text) >= 0 ? text : 'unknown';
  }

  function daemonDown() { return S.daemon === 'offline' || S.daemon === 'failed'; }

  function onDevice(name, msg) {
    msg.at = Date.now();
    S.devices[name] = msg;
    if (msg.bed) bedOf(msg.bed);
  }

  /* No area configured: take the one vitalsd announces on vitals/<area>/daemon/state. */
  function discoverArea(area, leaf) {
    if (leaf !== 'daemon/state' || S.area) return;
    S.client.unsubscribe('vitals/+/daemon/state');
    useArea(area);
  }

  function useArea(area) {
    S.area = area;
    var shown = S.central ? 'all areas' : area;
    $('area-name').textContent = shown;
    $('area-name').title = S.central ? 'the central view: every area bridged to this broker'
      : 'observation area ' + area;
    document.title = 'vitalsd: ' + shown;
    document.body.classList.toggle('central', S.central);
    S.client.subscribe(topics(area), function (err) {
      if (err) note('Subscribing failed: ' + err.message, true);
      requestSessions();
      requestTrend();
    });
  }

  function onConnect() {
    var first = S.firstConnect;
    S.firstConnect = false;
    S.connected = true;
    S.lostSince = null;
    if (first) signedIn();
    else if (S.area) { requestSessions(); requestTrend(); }
    schedule();
  }

  function signedIn() {
    S.signedIn = true;
    document.body.classList.add('signed-in');
    $('signin').hidden = true;
    $('account-user').textContent = S.user;
    $('account-user').title = 'Signed in as ' + S.user +
      ': acknowledgements and visits are recorded under this account';
    if (S.area) useArea(S.area);
    else S.client.subscribe('vitals/+/daemon/state', { qos: 1 });
  }

  function onLost() {
    if (S.connected || S.lostSince === null) S.lostSince = Date.now();
    S.connected = false;
    schedule();
  }

  function connectError(err) {
    var code = err && (err.code || err.reasonCode);
    if (code === 4 || code === 5 || code === 134 || code === 135)
      return 'Sign-in refused: wrong user name or password.';
    return 'Cannot reach the broker at ' + config.broker + ' (' +
      (err && err.message ? err.message : 'no answer') + ').';
  }

  /* Before the first connection every failure ends the attempt and is said on the form. */
  function failSignIn(err) {
    if (!S.client || S.signedIn) return;
    $('signin-error').textContent = connectError(err);
    $('signin-submit').disabled = false;
    S.client.end(true);
    S.client = null;
  }

  function connect(user, password) {
    S.user = user;
    S.firstConnect = true;
    var client = mqtt.connect(config.broker, {
      username: user, password: password, protocolVersion: 5, clean: true,
      clientId: 'vsd-dash-' + user + '-' + Math.random().toString(16).slice(2, 10),
      keepalive: 10, reconnectPeriod: 2000, connectTimeout: 5000, resubscribe: true
    });
    S.client = client;
    client.on('connect', onConnect);
    client.on('message', onMessage);
    client.on('close', function () { if (S.signedIn) onLost(); else failSignIn(null); });
    client.on('offline', function () { if (S.signedIn) onLost(); });
    client.on('error', function (err) {
      if (!S.signedIn) failSignIn(err);
      else note('Broker: ' + (err && err.message ? err.message : err), true);
    });
  }

  /* ------------------------------------------------------------------ sign-in and buttons */

  function onSignIn(ev) {
    ev.preventDefault();
    $('signin-error').textContent = '';
    if (typeof mqtt === 'undefined') {
      $('signin-error').textContent = 'The MQTT library vendor/mqtt.min.js is missing from the ' +
        'dashboard folder (scripts/dashboard-vendor puts it there).';
      return;
    }
    if (!config.broker) {
      $('signin-error').textContent = 'No broker is set: write its address in index.html ' +
        '(data-broker="wss://host:port/mqtt") or add ?broker=wss://host:port/mqtt to the address.';
      return;
    }
    var user = $('signin-user').value.trim(), password = $('signin-password').value;
    if (!user || !password) return;
    if ($('signin-sound').checked) VsdAudio.enable().then(schedule);
    $('signin-submit').disabled = true;
    $('signin-password').value = '';
    connect(user, password);
  }

  function signOut() {
    if (S.client) S.client.end(true);
    location.reload();
  }

  function wire() {
    $('signin-broker').textContent = config.broker || '(none set)';
    $('signin-form').addEventListener('submit', onSignIn);
    $('sign-out').addEventListener('click', signOut);
    $('sound-on').addEventListener('click', function () { VsdAudio.enable().then(renderAll); });
    $('sound-pause').addEventListener('click', function () { VsdAudio.pause(); renderAll(); });
    $('sound-resume').addEventListener('click', function () { VsdAudio.resume(); renderAll(); });
    $('visit-form').addEventListener('submit', submitVisit);
    $('visit-cancel').addEventListener('click', function () { $('visit-dialog').close(); });
    setInterval(renderAll, 1000);
    renderAll();
    $('signin-user').focus();
  }

  /* For the tests and for a technician's console: read-only views of the page's state. */
  window.vsdDashboard = {
    get user() { return S.user; },
    get area() { return S.area; },
    get connected() { return S.connected; },
    get daemon() { return S.daemon; },
    get central() { return S.central; },
    areas: function () { return JSON.parse(JSON.stringify(S.areas)); },
    get trend() { return Object.assign({}, S.trend); },
    alerts: function () { return allAlerts().sort(byUrgency); },
    beds: function () { return Object.keys(S.beds).sort(naturalCompare); },
    points: function (bed, vital) {
      return (S.beds[bed] && S.beds[bed].trend[vital] || []).slice();
    }
  };

  wire();
})();
