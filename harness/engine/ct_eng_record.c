/*
 * Transcripts: every message of a scenario as it went over the wire (NNN-c2s.xml,
 * NNN-s2c.wbxml, ...), its decoded and -- for what conftest received -- decrypted form
 * (NNN-s2c.decoded.xml), and index.txt with one line per message or outcome: direction, size,
 * time, summary. Credentials are masked in all of them unless --reveal-secrets; masking keeps
 * lengths, so sizes and offsets in a transcript stay true.
 */
#include "engine/ct_eng_int.h"

#include "syncml/ct_summary.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int mkdirs(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s", dir);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

void eng_record_open(struct eng *e)
{
    e->tdir[0] = '\0';
    if (e->cfg->transcripts == NULL)
        return;
    snprintf(e->tdir, sizeof(e->tdir), "%s/%s", e->cfg->transcripts,
             e->record_name != NULL ? e->record_name : e->scn->id);
    if (mkdirs(e->tdir) != 0) {
        e->tdir[0] = '\0';
        return;
    }
    char path[1300];
    snprintf(path, sizeof(path), "%s/index.txt", e->tdir);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "# %s: %s\n# scenario %s, SUT %s (%s)\n", e->scn->id, e->scn->title, e->scn->file,
                e->sut->name, ct_scn_role_name(e->role));
        fclose(f);
    }
}

static void index_line(struct eng *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void index_line(struct eng *e, const char *fmt, ...)
{
    char path[1300];
    snprintf(path, sizeof(path), "%s/index.txt", e->tdir);
    FILE *f = fopen(path, "a");
    if (f == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

void eng_record(struct eng *e, bool sending, const uint8_t *data, size_t len, const char *content_type,
                const struct ct_outcome *o)
{
    if (e->tdir[0] == '\0')
        return;
    unsigned no = ++e->seq;
    const char *dir = eng_dir_name(e, sending);
    if (o != NULL && o->kind != CT_OUT_MESSAGE) {
        struct ct_buf fp;
        ct_buf_init(&fp, 4096);
        eng_fingerprint(e, &fp);
        ct_buf_append(&fp, "", 1);
        if (fp.data != NULL)
            eng_redact_str(e, (char *)fp.data);
        index_line(e, "%03u %s %s after %.1f ms: %s", no, dir, ct_outcome_kind_name(o->kind), o->ms,
                   fp.data != NULL ? (const char *)fp.data : "");
        ct_buf_cleanup(&fp);
        return;
    }
    enum ct_enc enc = ct_enc_from_content_type(content_type);
    if (enc == CT_ENC_AUTO)
        enc = ct_enc_detect(data, len);
    uint8_t *copy = malloc(len + 1);
    if (copy == NULL)
        return;
    memcpy(copy, data, len);
    eng_redact(e, copy, len);
    char path[1400];
    snprintf(path, sizeof(path), "%s/%03u-%s.%s", e->tdir, no, dir,
             enc == CT_ENC_WBXML ? "wbxml" : enc == CT_ENC_XML ? "xml" : "bin");
    write_file(path, copy, len);
    free(copy);

    /* The decoded form: what conftest received, opened; what it sent, as encoded. */
    struct ct_msg *m = NULL;
    const struct ct_msg *show = !sending && e->in != NULL ? e->in : NULL;
    if (show == NULL && ct_msg_parse(&m, data, len, enc == CT_ENC_AUTO ? CT_ENC_XML : enc, NULL, NULL) == CT_OK)
        show = m;
    struct ct_buf sum, pretty;
    ct_buf_init(&sum, 8192);
    ct_buf_init(&pretty, (size_t)32 << 20);
    if (show != NULL) {
        struct ct_ser_opts so = {.enc = CT_ENC_XML, .pretty = true};
        if (ct_msg_serialize(show, &so, &pretty, NULL) == CT_OK) {
            eng_redact(e, pretty.data, pretty.len);
            snprintf(path, sizeof(path), "%s/%03u-%s.decoded.xml", e->tdir, no, dir);
            write_file(path, pretty.data, pretty.len);
        }
        ct_msg_summary(show, &sum);
    } else {
        ct_buf_append_str(&sum, "not SyncML");
    }
    ct_buf_append(&sum, "", 1);
    if (sum.data != NULL)
        eng_redact(e, sum.data, sum.len);
    index_line(e, "%03u %s %zu bytes %s%s%.1f ms | %s", no, dir, len, content_type != NULL ? content_type : "",
               content_type != NULL ? ", " : "", o != NULL ? o->ms : 0.0,
               sum.data != NULL ? (const char *)sum.data : "");
    ct_buf_cleanup(&sum);
    ct_buf_cleanup(&pretty);
    ct_msg_free(m);
}

void eng_record_note(struct eng *e, const char *fmt, ...)
{
    if (e->tdir[0] == '\0')
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    eng_redact_str(e, text);
    index_line(e, "# %s", text);
}
