/* SPDX-License-Identifier: MIT */
/* The simulator's command language (documented in main.c and tests/sim/README.md). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <vitalsd/vitals.h>

#include "sim.h"

#define MAX_ARGS 8

struct cmd {
    struct sim *s;
    int argc;
    char *argv[MAX_ARGS + 1];
    const char *rest; /* "after": the command text after its duration */
    char *out;
    size_t outlen;
};

static int answer(struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int answer(struct cmd *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->out, c->outlen, fmt, ap);
    va_end(ap);
    return strncmp(c->out, "error", 5) == 0 ? -EINVAL : 0;
}

int sim_parse_ms(const char *text, int64_t *ret)
{
    char *end;
    double v = strtod(text, &end);
    double mul = 1000.0;

    if (end == text || !(v >= 0))
        return -EINVAL;
    if (strcmp(end, "ms") == 0)
        mul = 1.0;
    else if (strcmp(end, "m") == 0)
        mul = 60000.0;
    else if (*end && strcmp(end, "s") != 0)
        return -EINVAL;
    *ret = (int64_t)llround(v * mul);
    return 0;
}

static int parse_uint(const char *text, unsigned max, unsigned *ret)
{
    char *end;
    unsigned long v = strtoul(text, &end, 0);

    if (end == text || *end || v > max)
        return -EINVAL;
    *ret = (unsigned)v;
    return 0;
}

/* The units SPEC names: "EP.ID", "EP" (all its units) or "*" (all). */
static size_t select_units(struct sim *s, const char *spec, struct sim_unit **out, size_t max)
{
    size_t n = 0;

    for (size_t e = 0; e < s->n_eps; e++) {
        struct sim_endpoint *ep = s->eps[e];
        bool all = strcmp(spec, "*") == 0 || strcmp(spec, ep->name) == 0;

        for (size_t i = 0; i < ep->n_units && n < max; i++)
            if (all || strcmp(spec, ep->units[i]->name) == 0)
                out[n++] = ep->units[i];
    }
    return n;
}

static struct sim_endpoint *find_ep(struct sim *s, const char *name)
{
    for (size_t e = 0; e < s->n_eps; e++)
        if (strcmp(s->eps[e]->name, name) == 0)
            return s->eps[e];
    return NULL;
}

static int value_arg(const char *text, double *ret)
{
    char *end;

    if (strcasecmp(text, "nan") == 0 || strcasecmp(text, "none") == 0) {
        *ret = NAN;
        return 0;
    }
    *ret = strtod(text, &end);
    return end == text || *end ? -EINVAL : 0;
}

/* fault UNIT KIND [ARGS]: one kind changed, the others kept. */
static int set_fault(struct sim_faults *f, int argc, char **argv)
{
    unsigned a = 0, b = 0;
    int64_t ms = 0;
    const char *k = argv[0];
    bool two = argc >= 3;

    if (strcmp(k, "none") == 0) {
        memset(f, 0, sizeof(*f));
        return 0;
    }
    if (strcmp(k, "silent") == 0 && argc == 2) {
        f->silent = strcmp(argv[1], "on") == 0;
        return strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0 ? 0 : -EINVAL;
    }
    if ((strcmp(k, "delay") == 0 || strcmp(k, "late") == 0) && argc >= 2 &&
        sim_parse_ms(argv[1], &ms) == 0 && ms <= 600000) {
        if (k[0] == 'd' && argc == 2) {
            f->delay_ms = (unsigned)ms;
            return 0;
        }
        if (k[0] == 'l' && argc == 3 && parse_uint(argv[2], 1000000, &b) == 0) {
            f->late_ms = (unsigned)ms;
            f->late_every = b;
            return 0;
        }
        return -EINVAL;
    }
    if (argc < 2 || parse_uint(argv[argc - 1], 1000000, &b) < 0)
        return -EINVAL;
    if (strcmp(k, "badcrc") == 0 && argc == 2)
        f->badcrc_every = b;
    else if (strcmp(k, "truncate") == 0 && argc == 2)
        f->truncate_every = b;
    else if (strcmp(k, "noise") == 0 && argc == 2)
        f->noise_every = b;
    else if (strcmp(k, "exception") == 0 && two && parse_uint(argv[1], 11, &a) == 0 && a > 0)
        f->exception_code = (int)a, f->exception_every = b;
    else if (strcmp(k, "wrong-unit") == 0 && two && parse_uint(argv[1], 247, &a) == 0 && a > 0)
        f->wrong_unit = (int)a, f->wrong_unit_every = b;
    else
        return -EINVAL;
    return 0;
}

static int status_bit(const char *name)
{
    static const char *const names[] = {"sensor_off", "searching", "artifact", "low_perfusion"};

    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return 1 << i;
    return -EINVAL;
}

static int cmd_set(struct cmd *c, struct sim_unit **u, size_t n)
{
    int vital = vsd_vital_from_name(c->argv[2]);
    double v;

    if (c->argc != 4 || vital < 0 || value_arg(c->argv[3], &v) < 0)
        return answer(c, "error: usage: set UNIT VITAL VALUE|nan");
    for (size_t i = 0; i < n; i++)
        u[i]->base[vital] = v;
    return answer(c, "ok");
}

static int cmd_event(struct cmd *c, struct sim_unit **u, size_t n)
{
    struct sim_event e = {.vital = c->argc == 6 ? vsd_vital_from_name(c->argv[2]) : -1};

    if (e.vital < 0 || value_arg(c->argv[3], &e.value) < 0 ||
        sim_parse_ms(c->argv[4], &e.from_ms) < 0 || sim_parse_ms(c->argv[5], &e.to_ms) < 0)
        return answer(c, "error: usage: event UNIT VITAL VALUE FROM TO");
    for (size_t i = 0; i < n; i++) {
        if (u[i]->n_events >= SIM_MAX_EVENTS)
            return answer(c, "error: %s: too many events", u[i]->name);
        u[i]->events[u[i]->n_events++] = e;
    }
    return answer(c, "ok");
}

static int cmd_raw(struct cmd *c, struct sim_unit **u, size_t n)
{
    struct sim_override o = {0};
    unsigned addr = 0, value = 0;
    bool clear = c->argc == 3 && strcmp(c->argv[2], "clear") == 0;

    if (!clear && (c->argc != 5 || parse_uint(c->argv[3], 65535, &addr) < 0 ||
                   parse_uint(c->argv[4], 65535, &value) < 0 ||
                   (strcmp(c->argv[2], "holding") != 0 && strcmp(c->argv[2], "input") != 0)))
        return answer(c, "error: usage: raw UNIT holding|input ADDRESS VALUE | raw UNIT clear");
    o.table = strcmp(c->argv[2], "input") == 0 ? VSD_MB_INPUT : VSD_MB_HOLDING;
    o.address = (uint16_t)addr;
    o.value = (uint16_t)value;
    for (size_t i = 0; i < n; i++) {
        int size =
            o.table == VSD_MB_INPUT ? u[i]->map->nb_input_registers : u[i]->map->nb_registers;

        if (clear) {
            u[i]->n_overrides = 0;
            continue;
        }
        if (u[i]->n_overrides >= SIM_MAX_OVERRIDES || o.address >= size)
            return answer(c, "error: %s: no room or address outside the image", u[i]->name);
        u[i]->overrides[u[i]->n_overrides++] = o;
    }
    return answer(c, "ok");
}

static int cmd_status(struct cmd *c, struct sim_unit **u, size_t n)
{
    int bit = c->argc == 4 ? status_bit(c->argv[2]) : -EINVAL;
    bool on = c->argc == 4 && strcmp(c->argv[3], "on") == 0;

    if (bit < 0 || (!on && strcmp(c->argv[3], "off") != 0))
        return answer(c, "error: usage: status UNIT sensor_off|searching|artifact|low_perfusion "
                         "on|off");
    for (size_t i = 0; i < n; i++)
        u[i]->status = on ? u[i]->status | (unsigned)bit : u[i]->status & ~(unsigned)bit;
    return answer(c, "ok");
}

static int cmd_nibp(struct cmd *c, struct sim_unit **u, size_t n)
{
    int64_t now = sim_now_ms();
    double v[3];
    int64_t every;

    if (c->argc == 4 && strcmp(c->argv[2], "every") == 0 && sim_parse_ms(c->argv[3], &every) == 0) {
        for (size_t i = 0; i < n; i++) {
            u[i]->nibp_every_ms = every;
            u[i]->nibp_next_ms = now + every;
        }
        return answer(c, "ok");
    }
    if (c->argc != 5 || value_arg(c->argv[2], &v[0]) < 0 || value_arg(c->argv[3], &v[1]) < 0 ||
        value_arg(c->argv[4], &v[2]) < 0)
        return answer(c, "error: usage: nibp UNIT SYS DIA MEAN | nibp UNIT every DURATION");
    for (size_t i = 0; i < n; i++)
        sim_unit_nibp(u[i], now - c->s->t0, v);
    return answer(c, "ok");
}

static int cmd_stats(struct cmd *c, struct sim_unit **u, size_t n)
{
    struct sim_counts t = {0};

    for (size_t i = 0; i < n; i++) {
        t.requests += u[i]->counts.requests;
        t.replies += u[i]->counts.replies;
        t.late += u[i]->counts.late;
        t.corrupt += u[i]->counts.corrupt;
        t.exceptions += u[i]->counts.exceptions;
        t.wrong_unit += u[i]->counts.wrong_unit;
        t.silent += u[i]->counts.silent;
    }
    return answer(c,
                  "ok requests=%llu replies=%llu late=%llu corrupt=%llu exceptions=%llu "
                  "wrong_unit=%llu silent=%llu",
                  (unsigned long long)t.requests, (unsigned long long)t.replies,
                  (unsigned long long)t.late, (unsigned long long)t.corrupt,
                  (unsigned long long)t.exceptions, (unsigned long long)t.wrong_unit,
                  (unsigned long long)t.silent);
}

static int cmd_seq(struct cmd *c, struct sim_unit **u, size_t n)
{
    bool on = c->argc == 3 && strcmp(c->argv[2], "on") == 0;

    if (c->argc != 3 || (!on && strcmp(c->argv[2], "off") != 0))
        return answer(c, "error: usage: seq UNIT on|off");
    for (size_t i = 0; i < n; i++)
        u[i]->seq = on;
    return answer(c, "ok");
}

static int cmd_fault(struct cmd *c, struct sim_unit **u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c->argc < 3 || set_fault(&u[i]->faults, c->argc - 2, c->argv + 2) < 0)
            return answer(c, "error: usage: fault UNIT none | silent on|off | delay DURATION | "
                             "late DURATION EVERY | badcrc|truncate|noise EVERY | "
                             "exception CODE EVERY | wrong-unit ID EVERY");
    return answer(c, "ok");
}

static int cmd_down(struct cmd *c)
{
    struct sim_endpoint *ep = c->argc == 3 ? find_ep(c->s, c->argv[1]) : NULL;
    int64_t ms;

    if (!ep || sim_parse_ms(c->argv[2], &ms) < 0)
        return answer(c, "error: usage: down ENDPOINT DURATION");
    sim_ep_down(ep, ms);
    return answer(c, "ok");
}

static int cmd_after(struct cmd *c)
{
    struct sim *s = c->s;
    int64_t ms;

    if (c->argc < 3 || sim_parse_ms(c->argv[1], &ms) < 0 || !c->rest)
        return answer(c, "error: usage: after DURATION COMMAND...");
    if (s->n_after >= SIM_MAX_AFTER)
        return answer(c, "error: too many deferred commands");
    s->after[s->n_after].due_ms = sim_now_ms() + ms;
    snprintf(s->after[s->n_after].line, sizeof(s->after[0].line), "%s", c->rest);
    s->n_after++;
    return answer(c, "ok");
}

static int cmd_units(struct cmd *c)
{
    size_t used = 0;

    used += (size_t)snprintf(c->out, c->outlen, "ok");
    for (size_t e = 0; e < c->s->n_eps; e++)
        for (size_t i = 0; i < c->s->eps[e]->n_units && used < c->outlen; i++)
            used += (size_t)snprintf(c->out + used, c->outlen - used, " %s",
                                     c->s->eps[e]->units[i]->name);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(struct cmd *c, struct sim_unit **u, size_t n);
} unit_cmds[] = {
    {"set", cmd_set},   {"event", cmd_event}, {"raw", cmd_raw}, {"status", cmd_status},
    {"nibp", cmd_nibp}, {"stats", cmd_stats}, {"seq", cmd_seq}, {"fault", cmd_fault},
};

static int dispatch(struct cmd *c)
{
    struct sim_unit **u;
    size_t n;
    int r;

    if (strcmp(c->argv[0], "down") == 0)
        return cmd_down(c);
    if (strcmp(c->argv[0], "after") == 0)
        return cmd_after(c);
    if (strcmp(c->argv[0], "units") == 0)
        return cmd_units(c);
    if (strcmp(c->argv[0], "quit") == 0) {
        c->s->quit = true;
        return answer(c, "ok");
    }
    for (size_t k = 0; k < sizeof(unit_cmds) / sizeof(unit_cmds[0]); k++) {
        if (strcmp(c->argv[0], unit_cmds[k].name) != 0)
            continue;
        if (c->argc < 2)
            return answer(c, "error: %s needs a UNIT", c->argv[0]);
        u = calloc(c->s->n_eps * SIM_MAX_UNITS + 1, sizeof(*u));
        if (!u)
            return answer(c, "error: out of memory");
        n = select_units(c->s, c->argv[1], u, c->s->n_eps * SIM_MAX_UNITS);
        r = n ? unit_cmds[k].fn(c, u, n) : answer(c, "error: no unit '%s'", c->argv[1]);
        free(u);
        return r;
    }
    return answer(c, "error: unknown command '%s'", c->argv[0]);
}

void sim_command(struct sim *s, const char *line, char *out, size_t outlen)
{
    struct cmd c = {.s = s, .out = out, .outlen = outlen};
    char buf[256];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *t = strtok_r(buf, " \t\r\n", &save); t && c.argc < MAX_ARGS;
         t = strtok_r(NULL, " \t\r\n", &save)) {
        c.argv[c.argc++] = t;
        if (c.argc == 2 && strcmp(c.argv[0], "after") == 0) {
            /* the rest of the ORIGINAL line, past "after DURATION" */
            c.rest = line + (save - buf);
            c.rest += strspn(c.rest, " \t");
            c.argc += *c.rest ? 1 : 0;
            break;
        }
    }
    if (c.argc == 0 || c.argv[0][0] == '#') {
        answer(&c, "ok");
        return;
    }
    dispatch(&c);
}
