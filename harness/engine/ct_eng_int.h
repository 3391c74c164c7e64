/*
 * The engine's state, shared by its files (ct_eng*.c) and nothing else.
 */
#ifndef CT_ENG_INT_H
#define CT_ENG_INT_H

#include "crypto/ct_enc.h"
#include "crypto/ct_enc_msg.h"
#include "crypto/ct_enc_nego.h"
#include "engine/ct_eng.h"
#include "engine/ct_peer.h"
#include "syncml/ct_msg.h"

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define ENG_MAX_VARS 256
#define ENG_MAX_SENT 64
#define ENG_MAX_SECRETS 1024
#define ENG_VAR_MAX (64u * 1024u)
#define ENG_REPEAT_MAX (8u << 20) /* ${repeat:...}: big items for data limits (ENC-ALG-4) */

struct eng_var {
    char *name;
    char *value;
};

/* One message conftest sent, kept for `resend`. */
struct eng_sent {
    uint8_t *data;
    size_t len;
    char content_type[128];
};

/* The profile on conftest's side of the session. */
struct eng_crypto {
    bool keyed;                      /* session keys derived */
    struct ct_enc_session keys;
    uint8_t key[CT_ENC_KEY_LEN];     /* K, for --reveal-secrets */
    char *offer_text;                /* the offer as sent (server SUT) or received (client SUT) */
    struct ct_enc_offer offer;
    bool offered;                    /* server SUT: we sent an offer in this session */
    /* server SUT: what we hold about the SUT's certificate */
    STACK_OF(X509) *chain;
    EVP_PKEY *pub;
    uint8_t kid[CT_ENC_KID_LEN];
    /* client SUT: what conftest serves with */
    EVP_PKEY *priv;
    STACK_OF(X509) *our_chain;
    char *our_pem;
    uint8_t our_kid[CT_ENC_KID_LEN];
    /* the last message received */
    bool got_offer;                  /* client SUT: it carried an offer */
    char offer_error[600];           /* ... which could not be accepted, and why */
    bool got_selection;              /* server SUT: it carried a selection */
    char selection_error[600];       /* ... which failed ENC-NEG-7, and why ("" when valid) */
    char *caps_text;                 /* a capability list, if any */
};

struct eng {
    const struct ct_scn *scn;
    const struct ct_eng_config *cfg;
    const struct ct_sut_config *sut;
    enum ct_scn_role role;
    struct ct_peer *peer;
    char tpl_dir[1024];              /* where templates are found */
    unsigned timeout_ms;

    struct eng_var vars[ENG_MAX_VARS];
    size_t n_vars;
    char **secrets;                  /* texts masked in transcripts and results (never evicted) */
    size_t n_secrets;

    /* the session */
    unsigned session_no;
    unsigned msg_id;                 /* MsgID of conftest's last message */
    char url[1024];                  /* server SUT: where the next message goes */
    uint8_t nonce[64];               /* server SUT: the last NextNonce received */
    size_t nonce_len;
    uint8_t our_nonce[64];           /* client SUT: the NextNonce we sent last */
    size_t our_nonce_len;
    bool have_our_nonce;
    struct eng_crypto crypto;

    /* what came back last (server SUT: the answer; client SUT: the request) */
    bool have_out;
    struct ct_outcome out;
    struct ct_msg *in;               /* parsed and opened; NULL when not SyncML */
    char in_error[512];              /* why it is not */
    struct ct_enc_outcome *fields;   /* per field, from opening it */
    size_t n_fields;
    int cred_state;                  /* client SUT: ENG_CRED_* */
    bool request_pending;            /* client SUT: a request waits for conftest's answer */

    /* IVs and nonces of the sealed fields received in this scenario (distinct-ivs). */
    struct {
        unsigned part;
        char hex[80];
    } *ivs;
    size_t n_ivs, first_iv_of_msg;

    struct eng_sent sent[ENG_MAX_SENT];
    size_t n_sent;

    unsigned seq;                    /* transcript message counter */
    char tdir[1200];                 /* the transcript directory, "" when none */
    const char *record_name;         /* its name under --transcripts (NULL: the scenario id) */

    bool skip_session;               /* an alternative with next-session won: skip to `session` */

    /* the current step, for messages */
    const struct ct_scn_step *step;
    size_t step_no;
    char error[1024];                /* a harness error (ERROR verdict) */
};

enum { ENG_CRED_NONE, ENG_CRED_OK, ENG_CRED_BAD, ENG_CRED_UNKNOWN };

/* ct_eng.c */
int eng_error(struct eng *e, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *eng_dir_name(const struct eng *e, bool sending);

/* ct_eng_vars.c */
int eng_var_set(struct eng *e, const char *name, const char *value);
const char *eng_var_get(const struct eng *e, const char *name);
void eng_vars_free(struct eng *e);
/* Expand ${name} in text; xml_escape for templates. Errors name file and line via eng_error. */
int eng_expand(struct eng *e, const char *text, bool xml_escape, struct ct_buf *out, const char *what,
               unsigned line);
int eng_secret_add(struct eng *e, const char *text);
void eng_redact(const struct eng *e, uint8_t *data, size_t len);
void eng_redact_str(const struct eng *e, char *s);

/* ct_eng_build.c */
int eng_build(struct eng *e, const struct ct_scn_step *st, struct ct_buf *out, char *content_type,
              size_t ct_size);

/* ct_eng_judge.c */
bool eng_judge_alt(struct eng *e, const struct ct_scn_alt *alt, char *why, size_t why_size);
void eng_capture_all(struct eng *e, const struct ct_scn_alt *alt);
void eng_fingerprint(const struct eng *e, struct ct_buf *out);
void eng_probe_fingerprint(const struct eng *e, char *out, size_t size);

/* ct_eng_crypto.c */
int eng_crypto_init(struct eng *e);
void eng_crypto_cleanup(struct eng *e);
void eng_crypto_session_reset(struct eng *e);
int eng_crypto_offer(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d);
int eng_crypto_select(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d);
int eng_crypto_caps(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d);
int eng_crypto_mutate_key(struct eng *e, struct ct_msg *m, const struct ct_scn_dir *d);
/* After receiving: accept an offer (client SUT), check a selection (server SUT), open fields. */
int eng_crypto_receive(struct eng *e);
xmlNode *eng_hdr_meta(struct ct_msg *m);

/* ct_eng_record.c */
void eng_record_open(struct eng *e);
void eng_record(struct eng *e, bool sending, const uint8_t *data, size_t len, const char *content_type,
                const struct ct_outcome *o);
void eng_record_note(struct eng *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* XPath over a namespace-free copy (ct_eng_judge.c): a node set of the copy, mapped back. */
struct eng_xpath {
    xmlDoc *copy;
    struct _xmlXPathObject *res;
};
int eng_xpath_eval(struct eng *e, xmlDoc *doc, const char *expr, unsigned line, struct eng_xpath *x);
void eng_xpath_done(struct eng_xpath *x);
/* The node of doc at the same place as node n of the copy. */
xmlNode *eng_xpath_map(xmlDoc *doc, xmlNode *n);

#endif
