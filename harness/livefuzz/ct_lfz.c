/*
 * The live fuzzer's loop: candidates written as scenarios, run by the engine, judged, minimised
 * and saved (ct_lfz.h says why it is built this way).
 *
 * A candidate, for a model whose k-th step sends the package to mutate:
 *
 *   header       the model's set-up (requires, server-items, client-*, ...), id fuzz.*, rule
 *                DS-ROBUST-16, the fuzz timeout
 *   prefix       the model's steps before step k, as written: they must still hold (else the
 *                SUT is not in the state the model says, and the candidate is UNSTABLE)
 *   step k       as written, then the mutation's directives
 *   the rest     the model's steps up to its next `session`; each expect keeps its own
 *   of the       alternatives (the session goes on when they hold) and gains those of any
 *   session      robust peer, with next-session: a SyncML message, an HTTP 4xx (server SUT),
 *                a clean end (client SUT)
 *   probe        `session`, the model's first package again (server SUT), and `expect message`:
 *                the SUT still serves a clean session
 *
 * The engine's FAIL at an expect from step k on is a finding, named by where (the answer to
 * the mutated package, later in that session, the probe) and what came (closed, timeout,
 * HTTP 5xx, a malformed reply, a crashed client).
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "livefuzz/ct_lfz_int.h"

#include "base/ct_buf.h"
#include "base/ct_fs.h"
#include "engine/ct_eng.h"
#include "report/ct_report.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LFZ_MAX_OPS 4
#define LFZ_TEXT_MAX (1u << 20)

/* The model, read once. */
struct model {
    const struct ct_lfz_config *cfg;
    struct ct_scn *scn;
    char *text;                     /* its lines, NUL-separated */
    char **lines;                   /* lines[0] is line 1 */
    size_t n_lines;
    size_t *sends;                  /* step indexes of the sends */
    struct lfz_target *targets;     /* per send */
    size_t n_sends;
    char scratch[PATH_MAX];         /* the run's scratch directory */
    char cand_path[PATH_MAX + 16];  /* where candidates are written (templates/ beside it) */
};

/* A candidate: which send, which mutations. */
struct cand {
    size_t send;                    /* index into model.sends */
    struct lfz_op ops[LFZ_MAX_OPS];
    size_t n_ops;
    unsigned no;                    /* candidate number */
};

/* Where the candidate's judged steps are, to name a FAIL. */
struct layout {
    unsigned mut_expect;            /* the line of the expect that judges the mutated package */
    unsigned probe_expect;          /* the line of the probe's expect */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the model ---- */

/* The last line step i uses (its own, its directives', its alternatives'). */
static unsigned step_end(const struct ct_scn_step *st)
{
    unsigned end = st->line;
    for (size_t d = 0; d < st->n_dirs; d++)
        end = st->dirs[d].line > end ? st->dirs[d].line : end;
    for (size_t a = 0; a < st->n_alts; a++) {
        end = st->alts[a].line > end ? st->alts[a].line : end;
        for (size_t d = 0; d < st->alts[a].n_dirs; d++)
            end = st->alts[a].dirs[d].line > end ? st->alts[a].dirs[d].line : end;
    }
    return end;
}

static int copy_file(const char *from, const char *to)
{
    struct ct_buf b;
    ct_buf_init(&b, 16u << 20);
    int rc = ct_buf_read_file(&b, from);
    if (rc == CT_OK) {
        FILE *f = fopen(to, "wb");
        rc = f != NULL && fwrite(b.data, 1, b.len, f) == b.len ? CT_OK : CT_ERR_IO;
        if (f != NULL && fclose(f) != 0)
            rc = CT_ERR_IO;
    }
    ct_buf_cleanup(&b);
    return rc;
}

/* Copy every template the model can see (the nearest of a name wins) into dir/templates. */
static int copy_templates(const char *model, const char *dir, struct ct_diag *diag)
{
    char into[PATH_MAX + 16], up[PATH_MAX];
    snprintf(into, sizeof(into), "%s/templates", dir);
    if (ct_fs_mkdirs(into) != 0)
        return ct_diag_set(diag, CT_ERR_IO, "%s: %s", into, strerror(errno));
    if (realpath(model, up) == NULL)
        return ct_diag_set(diag, CT_ERR_IO, "%s: %s", model, strerror(errno));
    for (int level = 0; level < 8; level++) {
        char *slash = strrchr(up, '/');
        if (slash == NULL || slash == up)
            break;
        *slash = '\0';
        char tdir[PATH_MAX + 16];
        snprintf(tdir, sizeof(tdir), "%s/templates", up);
        DIR *d = opendir(tdir);
        if (d == NULL)
            continue;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t n = strlen(de->d_name);
            if (n < 5 || strcmp(de->d_name + n - 4, ".xml") != 0)
                continue;
            char from[2 * PATH_MAX], to[2 * PATH_MAX];
            snprintf(from, sizeof(from), "%s/%s", tdir, de->d_name);
            snprintf(to, sizeof(to), "%s/%s", into, de->d_name);
            struct stat st;
            if (stat(to, &st) == 0)
                continue;
            if (copy_file(from, to) != CT_OK) {
                closedir(d);
                return ct_diag_set(diag, CT_ERR_IO, "cannot copy %s to %s", from, to);
            }
        }
        closedir(d);
    }
    return CT_OK;
}

static void model_free(struct model *m)
{
    for (size_t i = 0; i < m->n_sends; i++)
        lfz_target_free(&m->targets[i]);
    free(m->targets);
    free(m->sends);
    free(m->lines);
    free(m->text);
    ct_scn_free(m->scn);
    if (m->scratch[0] != '\0')
        ct_fs_rmtree(m->scratch);
}

static int model_load(struct model *m, const struct ct_lfz_config *cfg, struct ct_diag *diag)
{
    m->cfg = cfg;
    int rc = ct_scn_load(&m->scn, cfg->model, diag);
    if (rc != CT_OK)
        return rc;
    const struct ct_scn *s = m->scn;
    if (ct_scn_param(s, "vectors") != NULL)
        return ct_diag_set(diag, CT_ERR_USAGE, "%s: a scenario run per test vector cannot be a model", cfg->model);
    if (s->role != cfg->sut->role)
        return ct_diag_set(diag, CT_ERR_USAGE, "%s: the model is for a %s SUT, the SUT is a %s", cfg->model,
                           ct_scn_role_name(s->role), ct_scn_role_name(cfg->sut->role));
    struct ct_buf b;
    ct_buf_init(&b, 4u << 20);
    rc = ct_buf_read_file(&b, cfg->model);
    if (rc == CT_OK)
        rc = ct_buf_append(&b, "", 1);
    if (rc != CT_OK) {
        ct_buf_cleanup(&b);
        return ct_diag_set(diag, rc, "%s: cannot read", cfg->model);
    }
    m->text = (char *)ct_buf_steal(&b, NULL);
    size_t cap = 1;
    for (const char *p = m->text; *p != '\0'; p++)
        cap += *p == '\n';
    m->lines = calloc(cap, sizeof(char *));
    m->sends = calloc(s->n_steps, sizeof(size_t));
    m->targets = calloc(s->n_steps, sizeof(struct lfz_target));
    if (m->lines == NULL || m->sends == NULL || m->targets == NULL)
        return CT_ERR_NOMEM;
    for (char *p = m->text; p != NULL && *p != '\0';) {
        m->lines[m->n_lines++] = p;
        p = strchr(p, '\n');
        if (p != NULL)
            *p++ = '\0';
    }

    snprintf(m->scratch, sizeof(m->scratch), "%s/conftest-fuzz-XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(m->scratch) == NULL) {
        m->scratch[0] = '\0';
        return ct_diag_set(diag, CT_ERR_IO, "a scratch directory: %s", strerror(errno));
    }
    snprintf(m->cand_path, sizeof(m->cand_path), "%s/candidate.scn", m->scratch);
    rc = copy_templates(cfg->model, m->scratch, diag);
    for (size_t i = 0; rc == CT_OK && i < s->n_steps; i++) {
        const struct ct_scn_step *st = &s->steps[i];
        if (st->verb != CT_SCN_SEND)
            continue;
        char path[PATH_MAX + 256];
        if (ct_eng_find_template(cfg->model, st->args[0], path, sizeof(path)) != CT_OK)
            return ct_diag_set(diag, CT_ERR_USAGE, "%s:%u: template '%s' not found", cfg->model, st->line, st->args[0]);
        rc = lfz_target_load(&m->targets[m->n_sends], path, st, diag);
        if (rc == CT_OK)
            m->sends[m->n_sends++] = i;
    }
    if (rc == CT_OK && m->n_sends == 0)
        rc = ct_diag_set(diag, CT_ERR_USAGE, "%s: the model sends nothing to mutate", cfg->model);
    if (rc == CT_OK && cfg->step > 0 && (size_t)cfg->step > m->n_sends)
        rc = ct_diag_set(diag, CT_ERR_USAGE, "%s: --step %d, but the model has %zu sends", cfg->model, cfg->step,
                         m->n_sends);
    return rc;
}

/* ---- writing a candidate ---- */

struct writer {
    struct ct_buf *b;
    unsigned line;                  /* lines written so far */
    int rc;                         /* the first error (the buffer's bound), or 0 */
};

static void w_raw(struct writer *w, const char *text)
{
    if (w->rc == CT_OK)
        w->rc = ct_buf_append_str(w->b, text);
    if (w->rc == CT_OK)
        w->rc = ct_buf_append_str(w->b, "\n");
    w->line++;
}

static void w_line(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void w_line(struct writer *w, const char *fmt, ...)
{
    char text[LFZ_LINE + 512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    w_raw(w, text);
}

/* The model's lines from..to as they are (any length). */
static void w_model_lines(struct writer *w, const struct model *m, unsigned from, unsigned to)
{
    for (unsigned l = from; l <= to && l <= m->n_lines; l++)
        w_raw(w, m->lines[l - 1]);
}

/* The answers any robust peer may give, after which the session need not go on. */
static void w_robust_alts(struct writer *w, enum ct_scn_role role)
{
    if (role == CT_SCN_ROLE_SERVER) {
        w_line(w, "  message");
        w_line(w, "  next-session");
        w_line(w, "or");
        w_line(w, "  message");
        w_line(w, "  http 4xx");
        w_line(w, "  next-session");
        w_line(w, "or");
        w_line(w, "  malformed");
        w_line(w, "  http 4xx");
        w_line(w, "  next-session");
    } else {
        w_line(w, "  message");
        w_line(w, "  next-session");
        w_line(w, "or");
        w_line(w, "  end ok");
        w_line(w, "  next-session");
        w_line(w, "or");
        w_line(w, "  end failed");
        w_line(w, "  next-session");
    }
}

/* An expect of the model from the mutated step on: its own alternatives, then the robust ones. */
static unsigned w_widened_expect(struct writer *w, const struct model *m, const struct ct_scn_step *st)
{
    unsigned at = w->line + 1;
    if (st->n_alts + 3 <= 16) {
        w_model_lines(w, m, st->line, step_end(st));
        w_line(w, "or");
    } else {
        w_line(w, "expect");
    }
    w_robust_alts(w, m->scn->role);
    return at;
}

static bool header_kept(const char *line)
{
    static const char *const dropped[] = {"id", "title", "rule", "role", "class", "timeout", "catches"};
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '\0' || *line == '#')
        return false;
    size_t n = strcspn(line, " \t");
    for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
        if (strlen(dropped[i]) == n && strncmp(line, dropped[i], n) == 0)
            return false;
    return true;
}

/*
 * Write candidate c as a scenario: comment (lines starting "# ", may be NULL), header, model
 * prefix, the mutated step, the rest of its session widened, the probe.
 */
static int write_candidate(const struct model *m, const struct cand *c, const char *id, const char *comment,
                           struct ct_buf *out, struct layout *lay)
{
    const struct ct_scn *s = m->scn;
    struct writer w = {out, 0, CT_OK};
    if (comment != NULL)
        for (const char *p = comment; *p != '\0';) {
            size_t n = strcspn(p, "\n");
            w_line(&w, "# %.*s", (int)n, p);
            p += n + (p[n] == '\n');
        }
    w_line(&w, "id        %s", id);
    w_line(&w, "title     The SUT survives a mutated package of %s and serves a new session", s->id);
    w_line(&w, "rule      DS-ROBUST-16");
    w_line(&w, "role      %s", ct_scn_role_name(s->role));
    w_line(&w, "timeout   %ums", m->cfg->timeout_ms);
    for (unsigned l = 1; l < s->steps[0].line && l <= m->n_lines; l++)
        if (header_kept(m->lines[l - 1]))
            w_raw(&w, m->lines[l - 1]);
    w_line(&w, "%s", "");

    size_t k = m->sends[c->send];
    const struct ct_scn_step *sk = &s->steps[k];
    w_model_lines(&w, m, s->steps[0].line, step_end(sk));
    if (c->n_ops > 0)
        w_line(&w, "  # conftest fuzz: the mutation");
    for (size_t i = 0; i < c->n_ops; i++)
        for (size_t l = 0; l < c->ops[i].n_lines; l++) {
            char line[LFZ_LINE];
            lfz_op_line(&c->ops[i], l, line, sizeof(line));
            w_line(&w, "  %s", line);
        }
    /* The rest of the session: the expect right after judges the mutated package. */
    lay->mut_expect = 0;
    size_t j = k + 1;
    if (j >= s->n_steps || s->steps[j].verb != CT_SCN_EXPECT) {
        lay->mut_expect = w.line + 1;
        w_line(&w, "expect");
        w_robust_alts(&w, s->role);
    }
    for (; j < s->n_steps && s->steps[j].verb != CT_SCN_SESSION; j++) {
        const struct ct_scn_step *st = &s->steps[j];
        if (st->verb == CT_SCN_EXPECT) {
            unsigned at = w_widened_expect(&w, m, st);
            if (lay->mut_expect == 0)
                lay->mut_expect = at;
        } else {
            w_model_lines(&w, m, st->line, step_end(st));
        }
    }
    /* The liveness probe: a clean session right after. */
    w_line(&w, "%s", "");
    w_line(&w, "# the liveness probe: a clean session is still served");
    w_line(&w, "session");
    if (s->role == CT_SCN_ROLE_SERVER) {
        const struct ct_scn_step *first = &s->steps[m->sends[0]];
        w_model_lines(&w, m, first->line, step_end(first));
    }
    lay->probe_expect = w.line + 1;
    w_line(&w, "expect");
    w_line(&w, "  message");
    return w.rc == CT_OK ? ct_buf_append(out, "", 1) : w.rc;
}

/* ---- running and judging one ---- */

struct outcome {
    enum ct_lfz_kind kind;
    char signature[256];
    char why[1024];
};

static void describe(const struct ct_eng_probe *probe, char *out, size_t size)
{
    const char *fp = probe->valid ? probe->fingerprint : "?";
    if (strncmp(fp, "message", 7) == 0) {
        long http = 0;
        const char *h = strstr(fp, "http=");
        if (h != NULL)
            http = strtol(h + 5, NULL, 10);
        bool syncml = strstr(fp, "not-syncml") == NULL;
        if (http >= 500)
            snprintf(out, size, "HTTP %ld", http);
        else if (!syncml)
            snprintf(out, size, "a malformed reply (HTTP %ld)", http);
        else
            snprintf(out, size, "an unexpected SyncML reply (HTTP %ld)", http);
    } else if (strncmp(fp, "end", 3) == 0) {
        int st = 0;
        const char *x = strstr(fp, "exit=");
        if (x != NULL)
            st = (int)strtol(x + 5, NULL, 10);
        snprintf(out, size, st >= 128 ? "the client crashed (signal %d)" : "the client ended (exit %d)",
                 st >= 128 ? st - 128 : st);
    } else if (strncmp(fp, "closed", 6) == 0) {
        snprintf(out, size, "the connection closed without an answer");
    } else if (strncmp(fp, "timeout", 7) == 0) {
        snprintf(out, size, "no answer in time (a hang)");
    } else {
        snprintf(out, size, "%.*s", (int)strcspn(fp, " "), fp);
    }
}

static int run_text(const struct model *m, const char *text, unsigned no, const struct layout *lay,
                    struct outcome *o)
{
    const struct ct_lfz_config *cfg = m->cfg;
    memset(o, 0, sizeof(*o));
    FILE *f = fopen(m->cand_path, "w");
    if (f == NULL)
        return CT_ERR_IO;
    bool ok = fputs(text, f) >= 0;
    if (fclose(f) != 0 || !ok)
        return CT_ERR_IO;
    struct ct_scn *scn = NULL;
    struct ct_diag d = {0};
    int rc = ct_scn_load(&scn, m->cand_path, &d);
    if (rc != CT_OK) {
        /* The mutators write only what the parser takes: this is conftest's own bug, and the
         * run stops on it rather than count it as a rejected candidate. */
        snprintf(o->why, sizeof(o->why), "candidate %u does not parse (a bug of conftest fuzz): %s", no, d.text);
        return rc == CT_ERR_NOMEM ? rc : CT_ERR_INTERNAL;
    }
    char work[PATH_MAX + 32];
    snprintf(work, sizeof(work), "%s/w%u", m->scratch, no);
    if (mkdir(work, 0700) != 0) {
        ct_scn_free(scn);
        return CT_ERR_IO;
    }
    struct ct_eng_probe probe = {0};
    struct ct_eng_config ec = {
        .sut = cfg->sut,
        .ref_exe = cfg->ref_exe,
        .vectors = cfg->vectors,
        .ref_bugs = cfg->ref_bugs,
        .n_ref_bugs = cfg->n_ref_bugs,
        .ref_in_process = false, /* a crash or hang of the builtin must not take conftest with it */
        .workdir = work,
        .timeout_ms = cfg->timeout_ms,
        .probe = &probe,
    };
    struct ct_result res = {0};
    rc = ct_eng_run(scn, &ec, &res);
    ct_fs_rmtree(work);
    ct_scn_free(scn);
    if (rc != CT_OK) {
        ct_result_cleanup(&res);
        return rc;
    }
    const char *lp = res.where != NULL ? strstr(res.where, "line ") : NULL;
    unsigned line = lp != NULL ? (unsigned)strtoul(lp + 5, NULL, 10) : 0;
    if (res.verdict == CT_VERDICT_PASS) {
        o->kind = CT_LFZ_PASSED;
    } else if (res.verdict != CT_VERDICT_FAIL) {
        o->kind = CT_LFZ_REJECTED;
        snprintf(o->why, sizeof(o->why), "%s", res.reason != NULL ? res.reason : "?");
    } else if (lay == NULL || line < lay->mut_expect) {
        o->kind = CT_LFZ_UNSTABLE;
        snprintf(o->why, sizeof(o->why), "%s: %s", res.where != NULL ? res.where : "?",
                 res.reason != NULL ? res.reason : "?");
    } else {
        o->kind = CT_LFZ_FINDING;
        char what[200];
        describe(&probe, what, sizeof(what));
        const char *where = line == lay->mut_expect     ? (m->scn->role == CT_SCN_ROLE_SERVER
                                                               ? "the answer to the mutated package"
                                                               : "the client's next request")
                            : line == lay->probe_expect ? "the liveness probe (a clean session after)"
                                                        : "later in the mutated session";
        snprintf(o->signature, sizeof(o->signature), "%s, at %s", what, where);
        snprintf(o->why, sizeof(o->why), "%s", res.reason != NULL ? res.reason : "?");
    }
    ct_result_cleanup(&res);
    return CT_OK;
}

static int run_cand(const struct model *m, const struct cand *c, struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    struct ct_buf b;
    ct_buf_init(&b, LFZ_TEXT_MAX);
    struct layout lay;
    int rc = write_candidate(m, c, "fuzz.candidate", NULL, &b, &lay);
    if (rc == CT_OK)
        rc = run_text(m, (const char *)b.data, c->no, &lay, o);
    ct_buf_cleanup(&b);
    return rc;
}

/* ---- drawing, shrinking, saving ---- */

static void draw(const struct model *m, unsigned no, struct cand *c)
{
    struct lfz_rng r;
    lfz_rng_seed(&r, m->cfg->seed, no);
    memset(c, 0, sizeof(*c));
    c->no = no;
    c->send = m->cfg->step > 0 ? (size_t)m->cfg->step - 1 : lfz_below(&r, (unsigned)m->n_sends);
    /* Mostly one mutation; sometimes a few stacked (the minimiser drops those that do not matter). */
    unsigned x = lfz_below(&r, 100);
    c->n_ops = x < 55 ? 1 : x < 80 ? 2 : x < 93 ? 3 : 4;
    for (size_t i = 0; i < c->n_ops; i++)
        lfz_mutate(&r, &m->targets[c->send], &c->ops[i]);
}

static void mutation_text(const struct cand *c, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->n_ops; i++)
        for (size_t l = 0; l < c->ops[i].n_lines; l++) {
            char line[LFZ_LINE];
            lfz_op_line(&c->ops[i], l, line, sizeof(line));
            int n = snprintf(out + used, size - used, "%s%s", used > 0 ? "\n" : "", line);
            if (n < 0 || (size_t)n >= size - used)
                return;
            used += (size_t)n;
        }
}

static bool reproduces(const struct model *m, const struct cand *c, const char *signature, struct ct_lfz_result *res)
{
    struct outcome o;
    res->reruns++;
    return run_cand(m, c, &o) == CT_OK && o.kind == CT_LFZ_FINDING && strcmp(o.signature, signature) == 0;
}

/* Drop the mutations that do not matter, then shrink the sizes (repeat counts, cuts). */
static void minimise(const struct model *m, struct cand *c, const char *signature, struct ct_lfz_result *res)
{
    for (size_t i = c->n_ops; i-- > 0 && c->n_ops > 1;) {
        struct cand t = *c;
        memmove(&t.ops[i], &t.ops[i + 1], (t.n_ops - i - 1) * sizeof(t.ops[0]));
        t.n_ops--;
        if (reproduces(m, &t, signature, res))
            *c = t;
    }
    for (size_t i = 0; i < c->n_ops; i++) {
        unsigned lo = 1, hi = c->ops[i].n;
        for (int tries = 0; hi > 1 && lo < hi && tries < 12; tries++) {
            struct cand t = *c;
            t.ops[i].n = lo + (hi - lo) / 2;
            if (reproduces(m, &t, signature, res))
                hi = t.ops[i].n;
            else
                lo = t.ops[i].n + 1;
        }
        c->ops[i].n = hi;
    }
}

static void sut_words(const struct ct_lfz_config *cfg, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "%s", cfg->sut->builtin ? "the builtin reference" : cfg->sut->name);
    for (size_t i = 0; i < cfg->n_ref_bugs && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i == 0 ? " with --ref-bug " : ", ", cfg->ref_bugs[i]);
}

static void run_words(const struct ct_lfz_config *cfg, const char *file, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "conftest run %s", file);
    if (!cfg->sut->builtin && cfg->sut->file != NULL && used < size)
        used += (size_t)snprintf(out + used, size - used, " --sut %s", cfg->sut->file);
    for (size_t i = 0; i < cfg->n_ref_bugs && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, " --ref-bug %s", cfg->ref_bugs[i]);
}

/* Write the finding as OUT/<id>.scn with the templates it uses in OUT/templates/. */
static int save(const struct model *m, const struct cand *c, const char *signature, bool confirmed,
                char *file, size_t file_size, struct ct_diag *diag)
{
    const struct ct_lfz_config *cfg = m->cfg;
    char tdir[PATH_MAX];
    snprintf(tdir, sizeof(tdir), "%s/templates", cfg->out_dir);
    if (ct_fs_mkdirs(tdir) != 0)
        return ct_diag_set(diag, CT_ERR_IO, "%s: %s", tdir, strerror(errno));
    char id[300];
    snprintf(id, sizeof(id), "fuzz.%s.s%lu-c%u", m->scn->id, cfg->seed, c->no);
    snprintf(file, file_size, "%s/%s.scn", cfg->out_dir, id);
    char mut[4 * LFZ_LINE], sut[512], cmd[PATH_MAX + 512];
    mutation_text(c, mut, sizeof(mut));
    sut_words(cfg, sut, sizeof(sut));
    run_words(cfg, file, cmd, sizeof(cmd));
    struct ct_buf com;
    ct_buf_init(&com, 64u << 10);
    ct_buf_printf(&com, "Found by conftest fuzz (seed %lu, candidate %u) from %s,\nagainst %s.\n", cfg->seed, c->no,
                  cfg->model, sut);
    ct_buf_printf(&com, "The mutation, of send #%zu (line %u of the model):\n", c->send + 1,
                  m->scn->steps[m->sends[c->send]].line);
    for (const char *p = mut; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        ct_buf_printf(&com, "  %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
    ct_buf_printf(&com, "What came back: %s.\n", signature);
    if (!confirmed)
        ct_buf_printf(&com, "NOTE: it did not happen again on a second run (flaky or state-dependent).\n");
    ct_buf_printf(&com, "Reproduce: %s", cmd);
    ct_buf_append(&com, "", 1);
    struct ct_buf b;
    ct_buf_init(&b, LFZ_TEXT_MAX);
    struct layout lay;
    int rc = write_candidate(m, c, id, (const char *)com.data, &b, &lay);
    ct_buf_cleanup(&com);
    if (rc == CT_OK) {
        FILE *f = fopen(file, "w");
        bool ok = f != NULL && fputs((const char *)b.data, f) >= 0;
        if (f != NULL && fclose(f) != 0)
            ok = false;
        if (!ok)
            rc = ct_diag_set(diag, CT_ERR_IO, "%s: %s", file, strerror(errno));
    }
    ct_buf_cleanup(&b);
    /* The templates its sends name, from the run's copies. */
    const struct ct_scn *s = m->scn;
    for (size_t i = 0; rc == CT_OK && i < s->n_steps; i++) {
        if (s->steps[i].verb != CT_SCN_SEND)
            continue;
        char from[PATH_MAX + 256], to[2 * PATH_MAX];
        if (ct_eng_find_template(m->cand_path, s->steps[i].args[0], from, sizeof(from)) != CT_OK)
            continue;
        snprintf(to, sizeof(to), "%s/%s", tdir, strrchr(from, '/') + 1);
        if (copy_file(from, to) != CT_OK)
            rc = ct_diag_set(diag, CT_ERR_IO, "cannot write %s", to);
    }
    return rc;
}

static int add_distinct(struct ct_lfz_result *res, const char *signature, const char *file, const char *mutation,
                        unsigned no)
{
    struct ct_lfz_finding *v = realloc(res->distinct, (res->n_distinct + 1) * sizeof(*v));
    if (v == NULL)
        return CT_ERR_NOMEM;
    res->distinct = v;
    struct ct_lfz_finding *f = &v[res->n_distinct++];
    f->signature = strdup(signature);
    f->file = strdup(file);
    f->mutation = strdup(mutation);
    f->candidate = no;
    f->hits = 1;
    return f->signature != NULL && f->file != NULL && f->mutation != NULL ? CT_OK : CT_ERR_NOMEM;
}

static struct ct_lfz_finding *seen(struct ct_lfz_result *res, const char *signature)
{
    for (size_t i = 0; i < res->n_distinct; i++)
        if (strcmp(res->distinct[i].signature, signature) == 0)
            return &res->distinct[i];
    return NULL;
}

/* ---- the loop ---- */

/* The model as written, then the scaffolding around each send without a mutation: both must
 * pass, or every candidate would "find" the model's own failure. */
static int baseline(const struct model *m, struct ct_lfz_result *res, struct ct_diag *diag)
{
    /* m->text holds NUL-separated lines: put the newlines back. */
    struct ct_buf b;
    ct_buf_init(&b, LFZ_TEXT_MAX);
    int rc = CT_OK;
    for (size_t k = 0; k < m->n_lines && rc == CT_OK; k++) {
        rc = ct_buf_append_str(&b, m->lines[k]);
        if (rc == CT_OK)
            rc = ct_buf_append_str(&b, "\n");
    }
    if (rc == CT_OK)
        rc = ct_buf_append(&b, "", 1);
    struct outcome o = {0};
    if (rc == CT_OK)
        rc = run_text(m, (const char *)b.data, 0, NULL, &o);
    ct_buf_cleanup(&b);
    res->reruns++;
    if (rc != CT_OK)
        return ct_diag_set(diag, rc, "running the model: %s", o.why[0] != '\0' ? o.why : ct_strerror(rc));
    if (o.kind != CT_LFZ_PASSED)
        return ct_diag_set(diag, CT_ERR_PROTO, "%s does not pass against this SUT (%s): fuzzing needs a model that does",
                           m->cfg->model, o.why[0] ? o.why : "?");
    for (size_t i = 0; i < m->n_sends; i++) {
        struct cand c = {.send = i, .n_ops = 0, .no = 0};
        rc = run_cand(m, &c, &o);
        res->reruns++;
        if (rc != CT_OK)
            return ct_diag_set(diag, rc, "running the model: %s", o.why[0] != '\0' ? o.why : ct_strerror(rc));
        if (o.kind != CT_LFZ_PASSED)
            return ct_diag_set(diag, CT_ERR_PROTO,
                               "%s: without any mutation of send #%zu, the fuzzing scaffolding does not pass (%s%s%s)",
                               m->cfg->model, i + 1, o.signature, o.signature[0] ? ": " : "", o.why);
    }
    return CT_OK;
}

int ct_lfz_run(const struct ct_lfz_config *cfg, struct ct_lfz_result *res, struct ct_diag *diag)
{
    memset(res, 0, sizeof(*res));
    if (cfg->runs == 0 || cfg->out_dir == NULL || cfg->sut == NULL)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "fuzz: runs, an output directory and a SUT are needed");
    struct model m = {0};
    double t0 = now_s();
    int rc = model_load(&m, cfg, diag);
    if (rc == CT_OK)
        rc = baseline(&m, res, diag);
    for (unsigned i = 0; rc == CT_OK && i < cfg->runs; i++) {
        if (cfg->seconds > 0 && now_s() - t0 >= cfg->seconds)
            break;
        if (cfg->max_findings > 0 && res->n_distinct >= cfg->max_findings)
            break;
        struct cand c;
        draw(&m, cfg->first + i, &c);
        struct outcome o;
        rc = run_cand(&m, &c, &o);
        if (rc != CT_OK) {
            ct_diag_set(diag, rc, "%s", o.why[0] != '\0' ? o.why : ct_strerror(rc));
            break;
        }
        res->candidates++;
        char mut[4 * LFZ_LINE];
        mutation_text(&c, mut, sizeof(mut));
        struct ct_lfz_event ev = {.candidate = c.no, .kind = o.kind, .mutation = mut, .why = o.why};
        char file[PATH_MAX + 320];
        switch (o.kind) {
        case CT_LFZ_PASSED: res->passed++; break;
        case CT_LFZ_REJECTED: res->rejected++; break;
        case CT_LFZ_UNSTABLE: res->unstable++; break;
        case CT_LFZ_FINDING: {
            res->findings++;
            ev.signature = o.signature;
            struct ct_lfz_finding *old = seen(res, o.signature);
            if (old != NULL) {
                old->hits++;
                ev.dup = true;
                break;
            }
            if (cfg->minimise)
                minimise(&m, &c, o.signature, res);
            bool again = reproduces(&m, &c, o.signature, res);
            rc = save(&m, &c, o.signature, again, file, sizeof(file), diag);
            mutation_text(&c, mut, sizeof(mut));
            if (rc == CT_OK)
                rc = add_distinct(res, o.signature, file, mut, c.no);
            ev.saved = file;
            break;
        }
        }
        if (cfg->progress != NULL)
            cfg->progress(cfg->progress_ctx, &ev);
    }
    res->seconds = now_s() - t0;
    model_free(&m);
    return rc;
}

void ct_lfz_result_cleanup(struct ct_lfz_result *r)
{
    for (size_t i = 0; i < r->n_distinct; i++) {
        free(r->distinct[i].signature);
        free(r->distinct[i].file);
        free(r->distinct[i].mutation);
    }
    free(r->distinct);
    memset(r, 0, sizeof(*r));
}
