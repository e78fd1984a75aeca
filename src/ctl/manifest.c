/* SPDX-License-Identifier: MIT */
/* Runs one file export in a snapshot and writes its JSON manifest with hashes and chain head. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit_verify.h"
#include "client.h"
#include "clock.h"
#include "manifest.h"
#include "outfile.h"
#include "store_schema.h"

int vsd_manifest_path(const char *output, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s.manifest.json", output);

    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void add_time_or_null(cJSON *o, const char *key, int64_t ms)
{
    char iso[40];

    if (!ms) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    vsd_clock_iso8601(ms, iso, sizeof(iso));
    cJSON_AddStringToObject(o, key, iso);
}

static void add_str_or_null(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

static const char *unix_user(void)
{
    const struct passwd *pw = getpwuid(getuid());

    return pw ? pw->pw_name : "(unknown)";
}

/* The manifest of JOB as a JSON object (cJSON_Delete it), or NULL. */
static cJSON *manifest_json(const struct vsd_export_job *job, long long bytes)
{
    const char *base = strrchr(job->output, '/');
    cJSON *m = cJSON_CreateObject(), *f, *files, *file, *head;

    cJSON_AddNumberToObject(m, "manifest_version", 1);
    cJSON_AddStringToObject(m, "what", vsd_export_what_name(job->what));
    cJSON_AddStringToObject(m, "format", vsd_export_format_name(job->format));
    add_time_or_null(m, "created", job->created_ms);
    cJSON_AddStringToObject(m, "exported_by", job->by ? job->by : unix_user());
    cJSON_AddStringToObject(m, "unix_user", unix_user());
    add_str_or_null(m, "database", job->db_path);
    f = cJSON_AddObjectToObject(m, "filters");
    add_str_or_null(f, "session", job->filter.session_id);
    add_str_or_null(f, "bed", job->filter.bed);
    add_str_or_null(f, "vital", job->filter.vital);
    add_time_or_null(f, "from", job->filter.from_ms);
    add_time_or_null(f, "to", job->filter.to_ms);
    cJSON_AddNumberToObject(m, "rows", (double)job->rows);
    files = cJSON_AddArrayToObject(m, "files");
    file = cJSON_CreateObject();
    cJSON_AddStringToObject(file, "name", base ? base + 1 : job->output);
    cJSON_AddNumberToObject(file, "bytes", (double)bytes);
    cJSON_AddNumberToObject(file, "rows", (double)job->rows);
    cJSON_AddStringToObject(file, "sha256", job->sha256);
    cJSON_AddItemToArray(files, file);
    head = cJSON_AddObjectToObject(m, "audit_chain_head");
    cJSON_AddNumberToObject(head, "id", (double)job->head_id);
    cJSON_AddStringToObject(head, "hash", job->head_hash);
    return m;
}

/* Write the manifest of JOB to MAN (created beside the output; closed here) and hash it. */
static int write_manifest(struct vsd_export_job *job, FILE *man, char *err, size_t errlen)
{
    char path[4096], *text = NULL;
    struct stat st;
    cJSON *m = NULL;
    int r;

    if ((r = vsd_manifest_path(job->output, path, sizeof(path))) < 0 ||
        (r = vsd_sha256_file(job->output, job->sha256)) < 0)
        goto fail;
    if (stat(job->output, &st) < 0) {
        r = -errno;
        goto fail;
    }
    m = manifest_json(job, (long long)st.st_size);
    text = m ? cJSON_Print(m) : NULL;
    r = -ENOMEM;
    if (!text)
        goto fail;
    fprintf(man, "%s\n", text);
    r = fclose(man) == 0 ? 0 : -errno;
    man = NULL;
    if (r == 0)
        r = vsd_sha256_file(path, job->manifest_sha256);
fail:
    if (man)
        fclose(man);
    if (r < 0)
        vsd_schema_errf(err, errlen, "manifest of %s: %s", job->output, strerror(-r));
    free(text);
    cJSON_Delete(m);
    return r;
}

/* Create the export file and its manifest, both new, before a byte is written. */
static int create_both(const struct vsd_export_job *job, FILE **out, FILE **man, char *err,
                       size_t errlen)
{
    char mpath[4096];
    int r;

    if ((r = vsd_manifest_path(job->output, mpath, sizeof(mpath))) < 0) {
        vsd_schema_errf(err, errlen, "%s: %s", job->output, strerror(-r));
        return r;
    }
    if (!(*out = vsd_outfile_create(job->output, err, errlen)))
        return -errno;
    if (!(*man = vsd_outfile_create(mpath, err, errlen))) {
        r = -errno;
        fclose(*out);
        unlink(job->output); /* ours, empty */
        return r;
    }
    return 0;
}

/* The chain head and the rows, in one snapshot. */
static int write_snapshot(sqlite3 *db, struct vsd_export_job *job, FILE *out, char *err,
                          size_t errlen)
{
    int r = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;

    if (r == 0)
        r = vsd_audit_head(db, &job->head_id, job->head_hash, err, errlen);
    if (r == 0)
        r = vsd_export_write(db, job->what, job->format, &job->filter, out, &job->rows, err,
                             errlen);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return r;
}

int vsd_export_job_run(sqlite3 *db, struct vsd_export_job *job, char *err, size_t errlen)
{
    FILE *out = NULL, *man = NULL;
    int r;

    if (!db || !job || !job->output)
        return -EINVAL;
    if ((r = create_both(job, &out, &man, err, errlen)) < 0)
        return r;
    job->created_ms = vsd_clock_wall_ms(&vsd_clock_system);
    r = write_snapshot(db, job, out, err, errlen);
    if (fclose(out) != 0 && r == 0) {
        r = -errno;
        vsd_schema_errf(err, errlen, "%s: %s", job->output, strerror(-r));
    }
    if (r == 0)
        r = write_manifest(job, man, err, errlen);
    else
        fclose(man);
    if (r < 0)
        vsd_export_job_remove(job);
    return r;
}

int vsd_export_job_remove(const struct vsd_export_job *job)
{
    char mpath[4096];
    int r = 0;

    if (unlink(job->output) < 0 && errno != ENOENT)
        r = -errno;
    if (vsd_manifest_path(job->output, mpath, sizeof(mpath)) == 0 && unlink(mpath) < 0 &&
        errno != ENOENT && r == 0)
        r = -errno;
    return r;
}

int vsd_export_record(const char *socket_path, const struct vsd_export_job *job, char *err,
                      size_t errlen)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL, *d;
    const cJSON *ok, *why;
    char mpath[4096];
    int r;

    cJSON_AddStringToObject(req, "cmd", "audit");
    cJSON_AddStringToObject(req, "action", "export");
    cJSON_AddStringToObject(req, "by", job->by ? job->by : unix_user());
    d = cJSON_AddObjectToObject(req, "detail");
    cJSON_AddStringToObject(d, "what", vsd_export_what_name(job->what));
    cJSON_AddStringToObject(d, "format", vsd_export_format_name(job->format));
    cJSON_AddStringToObject(d, "file", job->output);
    if (job->filter.session_id)
        cJSON_AddStringToObject(d, "session", job->filter.session_id);
    if (job->filter.bed)
        cJSON_AddStringToObject(d, "bed", job->filter.bed);
    cJSON_AddStringToObject(d, "sha256", job->sha256);
    if (vsd_manifest_path(job->output, mpath, sizeof(mpath)) == 0)
        cJSON_AddStringToObject(d, "manifest", mpath);
    cJSON_AddStringToObject(d, "manifest_sha256", job->manifest_sha256);
    cJSON_AddNumberToObject(d, "rows", (double)job->rows);
    cJSON_AddNumberToObject(d, "audit_head_id", (double)job->head_id);
    cJSON_AddStringToObject(d, "unix_user", unix_user());
    r = vsd_client_call(socket_path, req, &reply, err, (unsigned)errlen);
    if (r == 0) {
        ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
        why = cJSON_GetObjectItemCaseSensitive(reply, "error");
        if (!cJSON_IsTrue(ok)) {
            vsd_schema_errf(err, errlen, "the daemon refused to record the export: %s",
                            cJSON_IsString(why) ? why->valuestring : "(no reason given)");
            r = -EPERM;
        }
    }
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return r;
}

/* The text of a manifest (small: at most 1 MiB), malloc'd. */
static char *read_small(const char *path, int *r)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;

    *r = 0;
    if (!fp || !(buf = malloc((1 << 20) + 1))) {
        *r = fp ? -ENOMEM : -errno;
        goto out;
    }
    n = fread(buf, 1, 1 << 20, fp);
    if (ferror(fp) || !feof(fp))
        *r = ferror(fp) ? -EIO : -EFBIG;
    buf[n] = '\0';
out:
    if (fp)
        fclose(fp);
    if (*r < 0) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

int vsd_manifest_read_head(const char *path, int64_t *id, char *hash, char *err, size_t errlen)
{
    const cJSON *head, *jid, *jhash;
    cJSON *m;
    int r;
    char *text = read_small(path, &r);

    if (!text) {
        vsd_schema_errf(err, errlen, "manifest %s: %s", path, strerror(-r));
        return r;
    }
    m = cJSON_Parse(text);
    free(text);
    head = cJSON_GetObjectItemCaseSensitive(m, "audit_chain_head");
    jid = cJSON_GetObjectItemCaseSensitive(head, "id");
    jhash = cJSON_GetObjectItemCaseSensitive(head, "hash");
    r = -EINVAL;
    if (!cJSON_IsNumber(jid) || jid->valuedouble < 0 || jid->valuedouble > 9007199254740992.0 ||
        jid->valuedouble != (double)(int64_t)jid->valuedouble || !cJSON_IsString(jhash) ||
        strlen(jhash->valuestring) != VSD_AUDIT_HASH_HEX ||
        strspn(jhash->valuestring, "0123456789abcdef") != VSD_AUDIT_HASH_HEX) {
        vsd_schema_errf(err, errlen,
                        "manifest %s: not an export manifest (no audit_chain_head with an id "
                        "and a 64-digit hash)",
                        path);
    } else {
        *id = (int64_t)jid->valuedouble;
        memcpy(hash, jhash->valuestring, VSD_AUDIT_HASH_HEX + 1);
        r = 0;
    }
    cJSON_Delete(m);
    return r;
}
