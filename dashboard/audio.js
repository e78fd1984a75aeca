/* SPDX-License-Identifier: MIT */
/* The dashboard's audible alarm signals, made with the Web Audio API (no sound files).
 *
 * Patterns in the manner of IEC 60601-1-8 (pulses of a 523 Hz tone with harmonics):
 *   high   10 pulses, 3 + 2, pause, 3 + 2; the burst repeats after 4 s of silence
 *   medium  3 pulses; the burst repeats after 7 s
 *   low     2 pulses; the burst repeats after 16 s
 * app.js says which priority is wanted (the highest unacknowledged active alert); this file
 * plays it until told otherwise, and keeps the two-minute pause. Browsers start audio only after
 * a click: enable() must be called from one (the sign-in button, or "Turn sound on").
 * window.vsdAudio shows the state to the nurse's page and to the tests. */
(function () {
  'use strict';

  var PAUSE_MS = 120000;
  var FREQUENCY = 523.25; /* C5 */

  /* Start times of each pulse (s from the burst's start), pulse length, silence after the burst. */
  var PATTERNS = {
    high: { pulses: [0, 0.22, 0.44, 0.88, 1.10, 2.10, 2.32, 2.54, 2.98, 3.20],
            duration: 0.15, after: 4.0, gain: 0.5 },
    medium: { pulses: [0, 0.40, 0.80], duration: 0.20, after: 7.0, gain: 0.35 },
    low: { pulses: [0, 0.45], duration: 0.20, after: 16.0, gain: 0.25 }
  };

  var ctx = null;
  var wave = null;
  var timer = null;
  var state = {
    enabled: false,        /* true once the browser let the page make sound */
    wanted: null,          /* what app.js asks for: 'high' | 'medium' | 'low' | null */
    playing: null,         /* what is sounding now (null while paused or off) */
    paused_until: null,    /* ms since the epoch, or null */
    bursts: 0,             /* bursts started since the page loaded */
    last_burst: null,      /* { priority, at } */
    error: null
  };

  function harmonicWave(context) {
    /* a fundamental and four harmonics, as the standard asks (a pure sine is hard to locate) */
    var real = new Float32Array([0, 1, 0.6, 0.45, 0.35, 0.3]);
    var imag = new Float32Array(real.length);
    return context.createPeriodicWave(real, imag);
  }

  function pulse(when, duration, gain) {
    var osc = ctx.createOscillator();
    var amp = ctx.createGain();
    var rise = duration * 0.15;
    osc.setPeriodicWave(wave);
    osc.frequency.value = FREQUENCY;
    amp.gain.setValueAtTime(0, when);
    amp.gain.linearRampToValueAtTime(gain, when + rise);
    amp.gain.setValueAtTime(gain, when + duration - rise);
    amp.gain.linearRampToValueAtTime(0, when + duration);
    osc.connect(amp);
    amp.connect(ctx.destination);
    osc.start(when);
    osc.stop(when + duration + 0.02);
  }

  function burst(priority) {
    var p = PATTERNS[priority];
    var start = ctx.currentTime + 0.05;
    p.pulses.forEach(function (t) { pulse(start + t, p.duration, p.gain); });
    state.bursts += 1;
    state.last_burst = { priority: priority, at: Date.now() };
    var last = p.pulses[p.pulses.length - 1] + p.duration;
    return (last + p.after) * 1000;
  }

  function paused() {
    return state.paused_until !== null && Date.now() < state.paused_until;
  }

  function stop() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    state.playing = null;
  }

  /* Play the wanted pattern now and again after its silence, while it is still wanted. */
  function schedule() {
    stop();
    if (state.paused_until !== null && !paused()) state.paused_until = null;
    if (!state.enabled || !state.wanted || paused()) return;
    var priority = state.wanted;
    state.playing = priority;
    var next = burst(priority);
    timer = setTimeout(function () { timer = null; schedule(); }, next);
  }

  function want(priority) {
    var before = state.wanted;
    state.wanted = priority || null;
    /* a change of priority starts the new pattern at once; the same one keeps its rhythm */
    if (state.wanted !== before || (state.wanted && timer === null && !paused())) schedule();
  }

  /* From a click handler: the browser lets a page start audio only after the user's gesture. */
  function enable() {
    try {
      if (!ctx) {
        var AC = window.AudioContext || window.webkitAudioContext;
        ctx = new AC();
        wave = harmonicWave(ctx);
      }
      return ctx.resume().then(function () {
        state.enabled = ctx.state === 'running';
        state.error = state.enabled ? null : 'the browser kept sound off (' + ctx.state + ')';
        schedule();
        return state.enabled;
      }, function (e) {
        state.error = String(e);
        return false;
      });
    } catch (e) {
      state.error = String(e);
      state.enabled = false;
      return Promise.resolve(false);
    }
  }

  function pause() {
    state.paused_until = Date.now() + PAUSE_MS;
    stop();
  }

  function resume() {
    state.paused_until = null;
    schedule();
  }

  /* A timer tick: a pause that ran out lets the sound start again. */
  function tick() {
    if (state.paused_until !== null && !paused()) resume();
  }

  window.VsdAudio = {
    enable: enable, want: want, pause: pause, resume: resume, tick: tick,
    paused: paused, PAUSE_MS: PAUSE_MS, PATTERNS: PATTERNS
  };
  /* read-only view for the page and the tests */
  window.vsdAudio = Object.freeze({
    get enabled() { return state.enabled; },
    get wanted() { return state.wanted; },
    get playing() { return state.playing; },
    get paused_until() { return paused() ? state.paused_until : null; },
    get bursts() { return state.bursts; },
    get last_burst() { return state.last_burst; },
    get context() { return ctx ? ctx.state : 'none'; },
    get error() { return state.error; }
  });
})();
