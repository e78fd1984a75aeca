/* SPDX-License-Identifier: MIT */
/* Private to the publisher's files: the client's state (publish.c) and the bookkeeping of the
 * alert events it keeps until the broker acknowledges them (publish_rows.c). Every function
 * here expects p->lock held, except the row constructors. */
#ifndef VSD_PUBLISH_INT_H
#define VSD_PUBLISH_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "publish.h"

#define OUTBOX_WINDOW 64 /* outbox rows handed to libmosquitto at once */
#define ACKED_MAX 1024   /* events acknowledged before their outbox row was committed */
#define REASON_MAX 256

/* An alert event, or (seq, id and mid unused) a retained message. */
struct row {
    struct row *prev, *next;
    int64_t seq;           /* the event's sequence number: the order rows are sent in */
    int64_t id;            /* its outbox row; 0 until the store has committed it */
    int64_t hold_until_ms; /* not sent before its row is committed or this (monotonic) time */
    int mid;               /* 0: not handed to libmosquitto on this connection */
    char *topic;
    char *payload;
};

struct vsd_publish {
    struct mosquitto *mosq;
    struct vsd_mqtt_config cfg; /* deep copy */
    char *state_topic;          /* vitals/<area>/daemon/state */
    vsd_publish_delivered_fn on_delivered;
    void *ctx;
    char *sub_pattern;                 /* subscribed on every connect; NULL: none */
    pthread_mutex_t sub_lock;          /* held while on_message runs: unsubscribe waits for it */
    vsd_publish_message_fn on_message; /* NULL once unsubscribed */
    void *sub_ctx;
    pthread_t thread;
    bool started;

    pthread_mutex_t lock; /* everything below */
    pthread_cond_t cond;  /* CLOCK_MONOTONIC: back-off and drain waits */
    bool connected;
    bool stopping;    /* stop() called: "offline" instead of "online" */
    bool quit;        /* the network thread must end */
    bool down_logged; /* this outage was logged */
    struct row *head, *tail, *cursor;
    struct row *inflight[OUTBOX_WINDOW];
    size_t n_inflight;
    size_t n_pending;
    struct row *retained;     /* last payload per topic, singly linked */
    int64_t acked[ACKED_MAX]; /* seqs acknowledged while not yet stored (ring; 0: free) */
    size_t acked_next;
    int offline_mid; /* mid of the "offline" sent by stop(), 0 = none */
    bool offline_acked;
    uint64_t live_dropped;
    uint64_t connects;
    pthread_mutex_t err_lock;   /* leaf lock: lib_error only */
    char lib_error[REASON_MAX]; /* last error line libmosquitto logged */
};

/* A row holding copies of TOPIC and PAYLOAD (NULL: ENOMEM), and its release (accepts NULL). */
struct row *vsd_row_new(const char *topic, const char *payload);
void vsd_row_free(struct row *r);
void vsd_rows_free(struct row *r); /* a singly linked list, by next */

/* The in-flight window: rows handed to libmosquitto on this connection, by mid. */
void vsd_inflight_drop(struct vsd_publish *p, size_t i);
ssize_t vsd_inflight_find(struct vsd_publish *p, int mid);
/* libmosquitto just handed out MID: nothing we wait for may still use it. */
void vsd_mid_claim(struct vsd_publish *p, int mid);

/* The pending events, in seq order: insert (-EEXIST if SEQ is pending), unlink, find. */
int vsd_row_insert(struct vsd_publish *p, struct row *r);
void vsd_row_unlink(struct vsd_publish *p, struct row *r);
struct row *vsd_row_find(struct vsd_publish *p, int64_t seq);

/* Events the broker acknowledged before their outbox row was committed (a slow disk). */
void vsd_acked_add(struct vsd_publish *p, int64_t seq);
bool vsd_acked_take(struct vsd_publish *p, int64_t seq); /* forgets it: each row comes once */

#endif
