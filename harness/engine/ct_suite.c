/*
 * A run of many scenarios: discovery, selection, order, workers, verdict bookkeeping.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "engine/ct_suite.h"

#include "base/ct_buf.h"
#include "base/ct_fs.h"
#include "engine/ct_oracle.h"
#include "sut/ct_bugs.h"
#include "net/ct_http.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- discovery ---- */

struct found {
    char **paths;
    size_t n, cap;
};

static int add_path(struct found *f, const char *p)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        if (cap > 100000)
            return CT_ERR_TOO_BIG;
        char **v = realloc(f->paths, cap * sizeof(char *));
        if (v == NULL)
            return CT_ERR_NOMEM;
        f->paths = v;
        f->cap = cap;
    }
    f->paths[f->n] = strdup(p);
    return f->paths[f->n++] != NULL ? CT_OK : CT_ERR_NOMEM;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int walk(struct found *f, const char *dir, int depth)
{
    if (depth > 16)
        return CT_OK;
    DIR *d = opendir(dir);
    if (d == NULL)
        return CT_ERR_IO;
    int rc = CT_OK;
    struct dirent *de;
    while (rc == CT_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "templates") == 0)
            continue;
        char path[4096];
        size_t dl = strlen(dir);
        snprintf(path, sizeof(path), "%s%s%s", dir, dl > 0 && dir[dl - 1] == '/' ? "" : "/", de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(f, path, depth + 1);
        else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".scn"))
            rc = add_path(f, path);
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int error_result(struct ct_result **v, size_t *n, const char *file, const char *text)
{
    struct ct_result *p = realloc(*v, (*n + 1) * sizeof(**v));
    if (p == NULL)
        return CT_ERR_NOMEM;
    *v = p;
    struct ct_result *r = &p[(*n)++];
    memset(r, 0, sizeof(*r));
    r->id = strdup(file);
    r->file = strdup(file);
    r->title = strdup("the scenario file does not parse");
    r->verdict = CT_VERDICT_ERROR;
    r->reason = strdup(text);
    return r->id != NULL && r->reason != NULL ? CT_OK : CT_ERR_NOMEM;
}

int ct_suite_list(char *const *paths, size_t n_paths, struct ct_scn ***out, size_t *n,
                  struct ct_result **errors, size_t *n_errors, struct ct_diag *diag)
{
    *out = NULL;
    *n = 0;
    struct found f = {0};
    int rc = CT_OK;
    for (size_t i = 0; i < n_paths && rc == CT_OK; i++) {
        struct stat st;
        size_t before = f.n;
        if (stat(paths[i], &st) != 0)
            rc = ct_diag_set(diag, CT_ERR_IO, "%s: %s", paths[i], strerror(errno));
        else if (S_ISDIR(st.st_mode))
            rc = walk(&f, paths[i], 0);
        else
            rc = add_path(&f, paths[i]);
        if (rc == CT_OK && f.n > before)
            qsort(f.paths + before, f.n - before, sizeof(char *), cmp_str);
    }
    struct ct_scn **v = rc == CT_OK ? calloc(f.n + 1, sizeof(*v)) : NULL;
    if (rc == CT_OK && v == NULL)
        rc = CT_ERR_NOMEM;
    for (size_t i = 0; rc == CT_OK && i < f.n; i++) {
        struct ct_diag d = {0};
        struct ct_scn *s = NULL;
        if (ct_scn_load(&s, f.paths[i], &d) != CT_OK) {
            rc = error_result(errors, n_errors, f.paths[i], d.text);
            continue;
        }
        /* Ids are stable names: two files with one id is a broken suite. */
        for (size_t k = 0; k < *n; k++)
            if (strcmp(v[k]->id, s->id) == 0) {
                char text[1024];
                snprintf(text, sizeof(text), "%s: id '%s' is already used by %s", f.paths[i], s->id, v[k]->file);
                rc = error_result(errors, n_errors, f.paths[i], text);
                ct_scn_free(s);
                s = NULL;
                break;
            }
        if (s != NULL)
            v[(*n)++] = s;
    }
    for (size_t i = 0; i < f.n; i++)
        free(f.paths[i]);
    free(f.paths);
    if (rc != CT_OK) {
        ct_suite_list_free(v, *n);
        *n = 0;
        return rc;
    }
    *out = v;
    return CT_OK;
}

void ct_suite_list_free(struct ct_scn **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        ct_scn_free(v[i]);
    free(v);
}

bool ct_suite_match(const char *id, char *const *globs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s", globs[i]);
        char *save = NULL;
        for (char *tok = strtok_r(buf, ";,", &save); tok != NULL; tok = strtok_r(NULL, ";,", &save))
            if (fnmatch(tok, id, 0) == 0)
                return true;
    }
    return false;
}

/* ---- running ---- */

struct job {
    const struct ct_scn *scn;
    const struct ct_sut_config *sut;
    struct ct_result *res;
    struct ct_eng_probe *probe;    /* oracle runs: the answer to the probe */
};

struct pool {
    const struct ct_suite_options *o;
    struct job *jobs;
    size_t n, next, done;
    char rundir[256];
    unsigned phase;                /* 0: the suite, 1: oracle runs (quiet, no transcripts) */
    bool ref_in_process;
    pthread_mutex_t mu;
    struct ct_sut_config *builtin[3];
};

static void run_one(struct pool *p, size_t i)
{
    struct job *j = &p->jobs[i];
    const struct ct_suite_options *o = p->o;
    char workdir[512];
    snprintf(workdir, sizeof(workdir), "%s/%u-%03zu", p->rundir, p->phase, i + 1);
    struct ct_eng_config ec = {
        .sut = j->sut,
        .ref_exe = o->ref_exe,
        .vectors = o->vectors,
        .ref_bugs = o->ref_bugs,
        .n_ref_bugs = o->n_ref_bugs,
        .ref_in_process = p->ref_in_process,
        .workdir = workdir,
        .transcripts = p->phase == 0 ? o->transcripts : NULL,
        .reveal_secrets = o->reveal_secrets,
        .timeout_ms = o->timeout_ms ? o->timeout_ms : j->sut->timeout_ms,
        .probe = j->probe,
    };
    if (mkdir(workdir, 0700) != 0) {
        j->res->verdict = CT_VERDICT_ERROR;
        j->res->reason = strdup("cannot create the scenario's scratch directory");
    } else if (ct_eng_run(j->scn, &ec, j->res) != CT_OK && j->res->reason == NULL) {
        j->res->verdict = CT_VERDICT_ERROR;
        j->res->reason = strdup("out of memory");
    }
    /* A config's known failures: expected red is XFAIL, green is XPASS (unexpected). */
    const char *known = ct_sut_known_failure(j->sut, j->scn->id);
    if (known != NULL && j->res->verdict == CT_VERDICT_FAIL) {
        j->res->verdict = CT_VERDICT_XFAIL;
        char *r = malloc(strlen(known) + (j->res->reason ? strlen(j->res->reason) : 0) + 32);
        if (r != NULL) {
            sprintf(r, "known failure: %s (%s)", known, j->res->reason ? j->res->reason : "");
            free(j->res->reason);
            j->res->reason = r;
        }
    } else if (known != NULL && j->res->verdict == CT_VERDICT_PASS) {
        j->res->verdict = CT_VERDICT_XPASS;
        free(j->res->reason);
        j->res->reason = strdup(known);
    }
    ct_fs_rmtree(workdir);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->mu);
        if (i == p->n)
            return NULL;
        run_one(p, i);
        pthread_mutex_lock(&p->mu);
        p->done++;
        if (p->o->progress != NULL && p->phase == 0)
            p->o->progress(p->o->progress_ctx, p->jobs[i].res, p->done, p->n);
        pthread_mutex_unlock(&p->mu);
    }
}

static int skip_result(struct ct_result *r, const struct ct_scn *s, const char *prefix, const char *arg)
{
    memset(r, 0, sizeof(*r));
    r->id = strdup(s->id);
    r->title = strdup(s->title);
    r->file = strdup(s->file);
    r->role = strdup(ct_scn_role_name(s->role));
    r->rules = calloc(s->n_rules + 1, sizeof(char *));
    for (size_t i = 0; r->rules != NULL && i < s->n_rules; i++)
        r->rules[i] = strdup(s->rules[i]);
    r->n_rules = r->rules != NULL ? s->n_rules : 0;
    r->verdict = CT_VERDICT_SKIP;
    size_t len = strlen(prefix) + strlen(arg) + 1;
    r->reason = malloc(len);
    if (r->reason != NULL)
        snprintf(r->reason, len, "%s%s", prefix, arg);
    return r->id != NULL && r->reason != NULL ? CT_OK : CT_ERR_NOMEM;
}

/* A probe before anything runs: a config'd server SUT that refuses connections is unreachable. */
static bool reachable(const struct ct_sut_config *sut, char *text, size_t size)
{
    if (sut->builtin || sut->role != CT_SCN_ROLE_SERVER)
        return true;
    struct ct_http_client *h = NULL;
    struct ct_http_client_config hc = {.timeout_ms = 5000, .max_response = 1 << 20};
    if (ct_http_client_new(&h, &hc) != CT_OK)
        return true;
    struct ct_http_reply rep;
    struct ct_diag d = {0};
    int rc = ct_http_get(h, sut->url, &rep, &d);
    bool ok = rc == CT_OK || (rep.failure != CT_HTTP_REFUSED && rep.failure != CT_HTTP_OTHER);
    if (!ok)
        snprintf(text, size, "%s", d.text);
    ct_buf_cleanup(&rep.body);
    ct_http_client_free(h);
    return ok;
}


/* ---- oracle classes ---- */

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64: a fixed, portable sequence for a given seed */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}


static const char *orc_rule(const char *cls)
{
    return strcmp(cls, "AUTH") == 0 ? "ENC-ORC-1" : strcmp(cls, "FIELD") == 0 ? "ENC-ORC-2"
           : strcmp(cls, "WRAP") == 0 ? "ENC-ORC-3" : NULL;
}

static void run_pool(struct pool *p)
{
    unsigned nt = p->o->jobs > 1 ? (p->o->jobs > 64 ? 64 : p->o->jobs) : 1;
    pthread_t th[64];
    unsigned started = 0;
    p->next = p->done = 0;
    for (unsigned i = 1; i < nt; i++)
        if (pthread_create(&th[started], NULL, worker, p) == 0)
            started++;
    worker(p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

/*
 * The members of one oracle class (same class, same SUT role), each run o->oracle_runs times in
 * a random order, their answers' fingerprints tested for independence (ct_oracle.c). Fills one
 * result named oracle.<class>.<role>.
 */
static int oracle_class(struct pool *p, struct job *const *members, size_t n, struct ct_result *res,
                        uint64_t *rng, uint64_t (*next)(uint64_t *))
{
    const struct ct_suite_options *o = p->o;
    size_t runs = o->oracle_runs, total = n * runs;
    struct job *jobs = calloc(total, sizeof(*jobs));
    struct ct_result *tmp = calloc(total, sizeof(*tmp));
    struct ct_eng_probe *probes = calloc(total, sizeof(*probes));
    struct ct_oracle_member *m = calloc(n, sizeof(*m));
    int rc = jobs && tmp && probes && m ? CT_OK : CT_ERR_NOMEM;
    for (size_t k = 0; rc == CT_OK && k < total; k++)
        jobs[k] = (struct job){members[k % n]->scn, members[k % n]->sut, &tmp[k], &probes[k]};
    for (size_t i = total; rc == CT_OK && i > 1; i--) { /* interleaved, in random order */
        size_t k = (size_t)(next(rng) % i);
        struct job t = jobs[i - 1];
        jobs[i - 1] = jobs[k];
        jobs[k] = t;
    }
    if (rc == CT_OK) {
        p->jobs = jobs;
        p->n = total;
        p->phase = 1;
        run_pool(p);
    }
    /* The table: member by member, the fingerprint of each run (or why there is none). */
    for (size_t i = 0; rc == CT_OK && i < n; i++) {
        m[i].id = members[i]->scn->id;
        m[i].prints = calloc(runs, sizeof(char *));
        m[i].ms = calloc(runs, sizeof(double));
        if (m[i].prints == NULL || m[i].ms == NULL)
            rc = CT_ERR_NOMEM;
        for (size_t k = 0; rc == CT_OK && k < total; k++)
            if (jobs[k].scn == members[i]->scn) { /* the jobs were shuffled: each keeps its own probe */
                const struct ct_eng_probe *pr = jobs[k].probe;
                m[i].ms[m[i].n] = pr->ms;
                m[i].prints[m[i].n++] = pr->valid ? (char *)pr->fingerprint : (char *)"no answer to judge";
            }
    }
    const char *cls = members[0]->scn->class_name;
    const char *role = ct_scn_role_name(members[0]->scn->role);
    struct ct_oracle_verdict v;
    if (rc == CT_OK)
        rc = ct_oracle_judge(m, n, o->oracle_alpha > 0 ? o->oracle_alpha : 0.01, &v);
    if (rc == CT_OK) {
        char id[128], title[256];
        for (size_t i = 0; cls[i] != '\0' && i < 60; i++)
            id[i] = (char)(cls[i] >= 'A' && cls[i] <= 'Z' ? cls[i] - 'A' + 'a' : cls[i]), id[i + 1] = '\0';
        char full[160];
        snprintf(full, sizeof(full), "oracle.%s.%s", id, role);
        snprintf(title, sizeof(title), "Oracle class %s (%s SUT): the %zu failures of the class are answered alike", cls,
                 role, n);
        res->id = strdup(full);
        res->title = strdup(title);
        res->role = strdup(role);
        res->file = strdup("(oracle runs)");
        if (orc_rule(cls) != NULL && (res->rules = calloc(2, sizeof(char *))) != NULL) {
            res->rules[0] = strdup(orc_rule(cls));
            res->n_rules = 1;
        }
        struct ct_buf b;
        ct_buf_init(&b, 64 << 10);
        ct_buf_printf(&b, "%zu runs of each of %zu members in random order; %zu distinct answers; p = %.3g", runs, n,
                      v.columns, v.p);
        if (v.columns == 1)
            ct_buf_printf(&b, "; every member got \"%s\"", m[0].prints[0]);
        if (v.columns > 1) {
            const struct ct_oracle_member *a = &m[v.a], *bb = &m[v.b];
            ct_buf_printf(&b, "; the pair that differs most (p = %.3g): %s answers \"%s\", %s answers \"%s\"",
                          v.pair_p, a->id, a->prints[0], bb->id, bb->prints[0]);
        }
        ct_buf_append(&b, "", 1);
        res->reason = (char *)ct_buf_steal(&b, NULL);
        if (v.distinguishable) {
            res->verdict = CT_VERDICT_FAIL;
            res->expected = strdup("the same answer to every member (docs/PROFILE.md 9.2)");
            ct_buf_init(&b, 64 << 10);
            for (size_t i = 0; i < n; i++)
                ct_buf_printf(&b, "%s%s: %s", i ? "\n" : "", m[i].id, m[i].prints[0]);
            ct_buf_append(&b, "", 1);
            res->actual = (char *)ct_buf_steal(&b, NULL);
        } else {
            res->verdict = CT_VERDICT_PASS;
        }
        if (o->timing_dir != NULL) {
            char dir[1024], path[1100];
            snprintf(dir, sizeof(dir), "%s/%s", o->timing_dir, full);
            mkdir(o->timing_dir, 0755);
            mkdir(dir, 0755);
            snprintf(path, sizeof(path), "%s/timing.csv", dir);
            struct ct_diag d = {0};
            if (ct_oracle_timing_csv(path, m, n, &d) != CT_OK)
                fprintf(stderr, "conftest: run: %s\n", d.text);
        }
        const char *known = ct_sut_known_failure(members[0]->sut, res->id);
        if (known != NULL)
            res->verdict = res->verdict == CT_VERDICT_FAIL ? CT_VERDICT_XFAIL : CT_VERDICT_XPASS;
    }
    for (size_t i = 0; m != NULL && i < n; i++) {
        free(m[i].prints);
        free(m[i].ms);
    }
    for (size_t k = 0; tmp != NULL && k < total; k++)
        ct_result_cleanup(&tmp[k]);
    free(m);
    free(tmp);
    free(probes);
    free(jobs);
    return rc;
}

int ct_suite_run(const struct ct_suite_options *o, struct ct_suite_result *out, struct ct_diag *diag)
{
    memset(out, 0, sizeof(*out));
    struct ct_scn **all = NULL;
    size_t n_all = 0;
    struct ct_result *errors = NULL;
    size_t n_errors = 0;
    int rc = ct_suite_list(o->paths, o->n_paths, &all, &n_all, &errors, &n_errors, diag);
    if (rc != CT_OK)
        return rc;
    struct pool p = {.o = o};
    pthread_mutex_init(&p.mu, NULL);
    /* The builtin server runs in-process (fast) unless a seeded bug would crash or hang it:
     * then each scenario gets a child process, and a crash is a closed connection. */
    p.ref_in_process = o->ref_isolation != 1;
    for (size_t i = 0; o->ref_isolation == 0 && i < o->n_ref_bugs; i++) {
        const struct ct_bug_info *b = ct_bug_by_name(o->ref_bugs[i]);
        if (b != NULL && b->fatal)
            p.ref_in_process = false;
    }
    /* Selection, in id order (stable shards), then the order of the run. */
    struct job *jobs = calloc(n_all + 1, sizeof(*jobs));
    struct ct_result *res = calloc(n_all + n_errors + 1, sizeof(*res));
    if (jobs == NULL || res == NULL)
        rc = CT_ERR_NOMEM;
    size_t n_sel = 0, n_res = 0;
    for (size_t i = 0; rc == CT_OK && i < n_all; i++) {
        const struct ct_scn *s = all[i];
        if (o->n_tests > 0 && !ct_suite_match(s->id, o->tests, o->n_tests))
            continue;
        if (o->n_skips > 0 && ct_suite_match(s->id, o->skips, o->n_skips))
            continue;
        if (o->sut != NULL && o->sut->role != s->role) {
            out->other_role++;
            continue;
        }
        if (o->shards > 0 && (n_sel++ % o->shards) != o->shard - 1)
            continue;
        const struct ct_sut_config *sut = o->sut;
        if (sut == NULL) {
            if (p.builtin[s->role] == NULL && (p.builtin[s->role] = ct_sut_builtin(s->role)) == NULL) {
                rc = CT_ERR_NOMEM;
                break;
            }
            sut = p.builtin[s->role];
        }
        const char *missing = NULL, *why = ct_sut_disabled(sut, s->id);
        struct ct_result *r = &res[n_res++];
        if (why != NULL)
            rc = skip_result(r, s, "disabled by the SUT config: ", why);
        else if (!ct_sut_claims(sut, s->requires, s->n_requires, &missing))
            rc = skip_result(r, s, "not applicable: the SUT does not claim ", missing);
        else
            jobs[p.n++] = (struct job){s, sut, r, NULL};
    }
    /* Shuffle what runs (Fisher-Yates from the seed). */
    uint64_t state = o->seed;
    for (size_t i = p.n; rc == CT_OK && i > 1; i--) {
        size_t k = (size_t)(rng_next(&state) % i);
        struct job t = jobs[i - 1];
        jobs[i - 1] = jobs[k];
        jobs[k] = t;
    }
    p.jobs = jobs;
    const struct ct_sut_config *probe = o->sut;
    if (rc == CT_OK && probe != NULL && p.n > 0 &&
        !reachable(probe, out->unreachable_text, sizeof(out->unreachable_text))) {
        out->unreachable = true;
        p.n = 0;
    }
    if (rc == CT_OK && p.n > 0) {
        snprintf(p.rundir, sizeof(p.rundir), "%s/conftest-run-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (mkdtemp(p.rundir) == NULL)
            rc = ct_diag_set(diag, CT_ERR_IO, "%s: %s", p.rundir, strerror(errno));
    }
    if (rc == CT_OK && o->progress != NULL)
        o->progress(o->progress_ctx, NULL, 0, p.n);
    size_t n_main = p.n;
    if (rc == CT_OK && p.n > 0)
        run_pool(&p);
    /* Oracle classes: the members that ran (not errors), grouped by class and SUT role. */
    struct ct_result *oracles = NULL;
    size_t n_oracles = 0;
    if (rc == CT_OK && o->oracle_runs > 0 && n_main > 0) {
        struct job **members = calloc(n_main, sizeof(*members));
        bool *done = calloc(n_main, sizeof(bool));
        oracles = calloc(n_main, sizeof(*oracles));
        if (members == NULL || done == NULL || oracles == NULL)
            rc = CT_ERR_NOMEM;
        for (size_t i = 0; rc == CT_OK && i < n_main; i++) {
            const struct ct_scn *s = jobs[i].scn;
            if (done[i] || s->class_name == NULL || jobs[i].res->verdict == CT_VERDICT_ERROR)
                continue;
            size_t k = 0;
            for (size_t j = i; j < n_main; j++)
                if (!done[j] && jobs[j].scn->class_name != NULL && strcmp(jobs[j].scn->class_name, s->class_name) == 0 &&
                    jobs[j].scn->role == s->role && jobs[j].res->verdict != CT_VERDICT_ERROR) {
                    members[k++] = &jobs[j];
                    done[j] = true;
                }
            if (k >= 2)
                rc = oracle_class(&p, members, k, &oracles[n_oracles++], &state, rng_next);
        }
        free(members);
        free(done);
    }
    if (p.rundir[0] != '\0')
        ct_fs_rmtree(p.rundir);
    p.n = n_main;
    p.jobs = jobs;
    /* Results: the parse errors first, then in the order they ran, then the skipped. */
    if (rc == CT_OK) {
        struct ct_result *final = calloc(n_res + n_errors + n_oracles + 1, sizeof(*final));
        if (final == NULL) {
            rc = CT_ERR_NOMEM;
        } else {
            size_t k = 0;
            for (size_t i = 0; i < n_errors; i++)
                final[k++] = errors[i];
            n_errors = 0;
            for (size_t i = 0; i < p.n; i++)
                final[k++] = *jobs[i].res;
            for (size_t i = 0; i < n_oracles; i++) {
                final[k++] = oracles[i];
                if (o->progress != NULL)
                    o->progress(o->progress_ctx, &oracles[i], i + 1, n_oracles);
            }
            n_oracles = 0;
            for (size_t i = 0; i < n_res; i++)
                if (res[i].verdict == CT_VERDICT_SKIP)
                    final[k++] = res[i];
            /* Unreachable: the selected scenarios did not run; their slots are empty. */
            for (size_t i = 0; i < n_res; i++)
                if (res[i].verdict != CT_VERDICT_SKIP && (out->unreachable || res[i].id == NULL))
                    ct_result_cleanup(&res[i]);
            out->results = final;
            out->n = k;
        }
    }
    for (size_t i = 0; i < n_oracles; i++)
        ct_result_cleanup(&oracles[i]);
    free(oracles);
    for (size_t i = 0; i < n_errors; i++)
        ct_result_cleanup(&errors[i]);
    free(errors);
    free(res);
    free(jobs);
    for (int i = 0; i < 3; i++)
        ct_sut_free(p.builtin[i]);
    ct_suite_list_free(all, n_all);
    pthread_mutex_destroy(&p.mu);
    return rc;
}

void ct_suite_result_cleanup(struct ct_suite_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        ct_result_cleanup(&r->results[i]);
    free(r->results);
    memset(r, 0, sizeof(*r));
}
