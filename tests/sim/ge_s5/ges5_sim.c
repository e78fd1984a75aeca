/* SPDX-License-Identifier: MIT */
/* vsd-ges5-sim: a GE/Datex-Ohmeda S/5 monitor: waits for the request, then pushes records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ges5_sim.h"
#include "link.h"

#define FRAME_CAP 1024

/* The monitor: its transmission state, NIBP cycle and timed conditions (real ms). */
struct monitor {
    struct s5_patient p;
    int second_ms;  /* one monitor second in real ms (test acceleration) */
    int nibp_every; /* monitor seconds between cuff cycles, 0 = none */
    int tx_ival;    /* 0 = not transmitting */
    int64_t next_tx, next_cuff, cuff_done, result_at, last_once;
    int64_t probe_off_until, leads_off_until, code_until[7];
    unsigned cycles, records;
    unsigned noisy;             /* records still to be preceded by line noise */
    int once_field, once_value; /* a value for the next record only (-1 = none) */
    int tag_hr;                 /* HR of the next record sent with a fault (0 = none) */
    int base_sys, base_dia;     /* 1/100 mmHg */
    int64_t hypo_start;         /* the hypoventilation scenario's start (0 = not playing) */
};

static int64_t now_ms(void)
{
    return vsd_sim_now_ms();
}

static void cuff_start(struct monitor *m, int64_t now)
{
    m->p.nibp_measuring = true;
    m->cuff_done = now + (int64_t)(m->tx_ival ? m->tx_ival : 5) * m->second_ms;
}

/* The cuff cycle finished: a new result on display. */
static void cuff_result(struct monitor *m, int64_t now)
{
    int k = (int)m->cycles++;

    m->p.nibp_measuring = false;
    m->p.nibp_none = false;
    m->p.sys = m->base_sys + (k * 700) % 2100 - 700;
    m->p.dia = m->base_dia + (k * 300) % 900 - 300;
    m->p.mean = m->p.dia + (m->p.sys - m->p.dia) / 3;
    m->result_at = now;
    m->cuff_done = 0;
    if (m->nibp_every)
        m->next_cuff = now + (int64_t)m->nibp_every * m->second_ms;
}

/* EtCO2 in mmHg as the module's fraction (1/100 %) of the ambient pressure. */
static int et_of(const struct monitor *m, double mmhg)
{
    return (int)(mmhg * 100000.0 / m->p.amb + 0.5);
}

/* The hypoventilation scenario (respiratory depression), in monitor seconds from its start:
 * 0-40 the rate falls 14 -> 6 /min while EtCO2 rises 38 -> 58 mmHg; 40-80 apnea (rate 0, no
 * CO2 at the sensor, the module's apnea bit); SpO2 holds at first and falls only from 50 s
 * (1 % per second, down to 84 %); from 80 s breathing resumes (rate 12, EtCO2 45) and SpO2
 * is back at 95 %. It then stays there. */
static void hypoventilation(struct monitor *m, int64_t now)
{
    double t = (double)(now - m->hypo_start) / m->second_ms;

    m->p.apnea = t >= 40 && t < 80;
    if (t < 40) {
        m->p.rr = (int)(14 - 8 * t / 40 + 0.5);
        m->p.et = et_of(m, 38 + 20 * t / 40);
    } else if (t < 80) {
        m->p.rr = 0;
        m->p.et = 0;
    } else {
        m->p.rr = 12;
        m->p.et = et_of(m, 45);
    }
    if (t < 50)
        m->p.spo2 = 9700;
    else if (t < 80)
        m->p.spo2 = 9700 - 100 * (t - 50) > 8400 ? (int)(9700 - 100 * (t - 50)) : 8400;
    else
        m->p.spo2 = 9500;
}

/* Timed states as of NOW. */
static void advance(struct monitor *m, int64_t now)
{
    if (m->hypo_start)
        hypoventilation(m, now);
    if (m->cuff_done && now >= m->cuff_done)
        cuff_result(m, now);
    if (m->nibp_every && m->next_cuff && now >= m->next_cuff && !m->p.nibp_measuring) {
        m->next_cuff = 0;
        cuff_start(m, now);
    }
    m->p.nibp_old = !m->p.nibp_none && now - m->result_at > 60LL * m->second_ms;
    m->p.probe_off = now < m->probe_off_until;
    m->p.leads_off = now < m->leads_off_until;
    for (int i = 0; i < 7; i++)
        if (m->p.code[i] && now >= m->code_until[i])
            m->p.code[i] = 0;
}

static bool fault_pending(const struct vsd_sim_faults *f)
{
    return f->badsum || f->flip || f->truncate || f->overlong || f->noise;
}

/* The record to send now, with a one-record value or a fault's tag applied. */
static size_t next_record(struct monitor *m, const struct vsd_sim_faults *f, uint8_t *rec)
{
    struct s5_patient p = m->p;

    if (m->tag_hr && fault_pending(f)) {
        p.code[0] = m->tag_hr;
        m->tag_hr = 0;
    }
    if (m->once_field >= 0) {
        p.code[m->once_field] = m->once_value;
        m->once_field = -1;
    }
    return s5_record(&p, (uint32_t)time(NULL), rec);
}

static void send_record(struct monitor *m, struct vsd_sim_link *l, struct vsd_sim_faults *f)
{
    uint8_t rec[400], frame[FRAME_CAP];
    size_t n;
    uint8_t delta;
    unsigned extra;

    if (f->silent_until && now_ms() < f->silent_until)
        return;
    n = next_record(m, f, rec);
    delta = vsd_sim_faults_take(&f->badsum) ? (uint8_t)(1 + vsd_sim_rand(f) % 255) : 0;
    if (vsd_sim_faults_take(&m->noisy))
        f->noise += 24;
    extra = vsd_sim_faults_take(&f->overlong) ? 1500 : 0; /* past any record */
    if (extra) { /* the link helper takes at most FRAME_CAP bytes: send it in two writes */
        size_t k = s5_frame(rec, n, delta, 0, frame) - 1;
        char junk[1500];

        memset(junk, 0x33, sizeof(junk));
        vsd_sim_send_frame(l, f, frame, k);
        vsd_sim_link_write(l, junk, sizeof(junk));
        vsd_sim_link_write(l, "\x7e", 1);
    } else {
        vsd_sim_send_frame(l, f, frame, s5_frame(rec, n, delta, 0, frame));
    }
    m->records++;
}

static void on_request(struct monitor *m, const struct s5_request *q, int64_t now)
{
    printf("request type=%d tx_ival=%d classes=0x%x\n", q->type, q->tx_ival, q->classes);
    if (q->type != 1) {
        printf("ignored: only displayed values are simulated\n");
    } else if (q->tx_ival == 0) {
        m->tx_ival = 0;
    } else if (q->tx_ival == -1) {
        if (!m->last_once || now - m->last_once >= 5LL * m->second_ms)
            m->next_tx = now, m->last_once = now;
    } else if (q->tx_ival < 5) {
        printf("rejected interval %d: periodic requests need 5 s or more\n", q->tx_ival);
    } else {
        m->tx_ival = q->tx_ival;
        m->next_tx = now;
        if (m->nibp_every && m->p.nibp_none && !m->p.nibp_measuring)
            cuff_start(m, now);
    }
    fflush(stdout);
}

static void on_bytes(struct monitor *m, struct s5_rx *rx, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = s5_rx_byte(rx, b[i]);
        struct s5_request q;

        if (len && s5_parse_request(rx->buf, len, &q) == 0)
            on_request(m, &q, now_ms());
    }
}

/* Own commands: "probe_off S", "leads_off S", "code NAME CODE S" (a special code in a field
 * for S seconds), "value NAME N" (hr, pr, rr; spo2 in %; sys, dia in mmHg for the next cuff
 * results), "once NAME RAW" (a raw field value in the next record only), "noisy N" (line noise
 * before each of the next N records), "tag HR" (the next record sent with a fault carries this
 * HR: tests check that it never arrives), "nibp" (start a cuff cycle), "co2 on|off",
 * "etco2 MMHG" (shown as a fraction of the ambient pressure), "ambient MMHG", "apnea on|off",
 * "hypoventilation" (play the scenario above), "records". */
static int own_command(struct monitor *m, const char *line)
{
    char name[16];
    double v, s;
    int64_t now = now_ms();

    if (sscanf(line, "probe_off %lf", &s) == 1) {
        m->probe_off_until = now + (int64_t)(s * 1000);
    } else if (sscanf(line, "leads_off %lf", &s) == 1) {
        m->leads_off_until = now + (int64_t)(s * 1000);
    } else if (sscanf(line, "code %15s %lf %lf", name, &v, &s) == 3 && s5_code_field(name) >= 0 &&
               v >= -32768 && v <= -32001) {
        m->p.code[s5_code_field(name)] = (int)v;
        m->code_until[s5_code_field(name)] = now + (int64_t)(s * 1000);
    } else if (sscanf(line, "value %15s %lf", name, &v) == 2 && s5_code_field(name) >= 0) {
        int *fields[] = {&m->p.hr,     &m->p.spo2,   &m->p.pr, &m->p.rr,
                         &m->base_sys, &m->base_dia, NULL};
        int i = s5_code_field(name);
        int scale = i == 1 || i == 4 || i == 5 ? 100 : 1;

        if (!fields[i])
            return -EINVAL;
        *fields[i] = (int)(v * scale);
    } else if (sscanf(line, "once %15s %lf", name, &v) == 2 && s5_code_field(name) >= 0) {
        m->once_field = s5_code_field(name); /* raw units: 1/100 for spo2 and pressures */
        m->once_value = (int)v;
    } else if (sscanf(line, "tag %lf", &v) == 1 && v > 0 && v < 32000) {
        m->tag_hr = (int)v;
    } else if (sscanf(line, "noisy %lf", &v) == 1 && v >= 0) {
        m->noisy = (unsigned)v;
    } else if (strcmp(line, "nibp") == 0) {
        cuff_start(m, now);
    } else if (strcmp(line, "co2 off") == 0 || strcmp(line, "co2 on") == 0) {
        m->p.no_co2 = strcmp(line, "co2 off") == 0;
    } else if (sscanf(line, "etco2 %lf", &v) == 1 && v >= 0 && v <= 150) {
        m->p.et = et_of(m, v);
    } else if (sscanf(line, "ambient %lf", &v) == 1 && v >= 0 && v <= 3000) {
        m->p.amb = (int)(v * 10);
    } else if (strcmp(line, "apnea on") == 0 || strcmp(line, "apnea off") == 0) {
        m->p.apnea = strcmp(line, "apnea on") == 0;
    } else if (strcmp(line, "hypoventilation") == 0) {
        m->hypo_start = now;
    } else if (strcmp(line, "records") == 0) {
        printf("records %u cycles %u\n", m->records, m->cycles);
    } else {
        return vsd_sim_answer("ges5-sim", line, -EINVAL);
    }
    return vsd_sim_answer("ges5-sim", line, 0);
}

static int parse_args(int argc, char **argv, void *ctx)
{
    struct monitor *m = ctx;

    if ((argc - 1) % 2)
        return -EINVAL;
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);

        if (strcmp(argv[i], "--second-ms") == 0 && v >= 10 && v <= 1000)
            m->second_ms = v;
        else if (strcmp(argv[i], "--nibp-every") == 0 && v >= 0)
            m->nibp_every = v;
        else
            return -EINVAL;
    }
    return 0;
}

static void init(struct monitor *m)
{
    memset(m, 0, sizeof(*m));
    m->second_ms = 1000;
    m->p = (struct s5_patient){
        .hr = 72, .spo2 = 9700, .pr = 71, .rr = 14, .imp_rr = SIM_FIELD_INVALID, .nibp_none = true,
        .et = 500, .amb = 7600}; /* EtCO2 5.00 % of 760.0 mmHg = 38 mmHg */
    m->once_field = -1;
    m->base_sys = 12000;
    m->base_dia = 8000;
}

/* The --pty link path, if any (before the link helper takes the arguments). */
static const char *pty_path(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--pty") == 0)
            return argv[i + 1];
    return NULL;
}

/* While unplugged, the link must not lead anywhere: the kernel hands the freed /dev/pts number
 * to the next pty opened on the machine (another simulator), and the host would open that one. */
static void hide_link(const char *path, const char *cmd)
{
    if (path && strncmp(cmd, "unplug", 6) == 0)
        unlink(path);
}

int main(int argc, char **argv)
{
    static const char usage[] =
        "usage: vsd-ges5-sim --pty LINK | --tcp PORT [--second-ms MS] "
        "[--nibp-every SECONDS]\n(commands on stdin: see docs/devices/ge-s5.md)\n";
    const char *link_path = pty_path(argc, argv);
    struct monitor m;
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;
    struct vsd_sim_input in;
    struct s5_rx rx = {0};

    init(&m);
    if (vsd_sim_start(argc, argv, parse_args, &m, usage, 7, &l, &f) < 0)
        return 2;
    while (!f.quit) {
        int64_t now = now_ms(), wait = 100;

        advance(&m, now);
        if (m.next_tx && now >= m.next_tx) {
            send_record(&m, l, &f);
            m.next_tx = m.tx_ival ? m.next_tx + (int64_t)m.tx_ival * m.second_ms : 0;
            if (m.next_tx && m.next_tx < now)
                m.next_tx = now + (int64_t)m.tx_ival * m.second_ms;
            continue;
        }
        if (m.next_tx && m.next_tx - now < wait)
            wait = m.next_tx - now;
        if (vsd_sim_link_service(l, wait, &in) <= 0)
            continue;
        on_bytes(&m, &rx, in.rx, in.rx_len);
        if (in.cmd[0] && vsd_sim_faults_command(&f, l, in.cmd) == 0)
            own_command(&m, in.cmd);
        else if (in.cmd[0])
            hide_link(link_path, in.cmd);
    }
    vsd_sim_link_free(l);
    return 0;
}
