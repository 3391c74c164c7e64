/*
 * ct_enc_nego: the negotiation texts of the profile (docs/PROFILE.md section 3), carried in
 * SyncHdr/Meta/EMI -- the client's offer, the server's selection with its confirmation MAC, and
 * the server's capability list that comes with a 406.
 *
 * Parsing is strict about syntax and bounded (CT_ENC_MAX_TEXT); deciding whether an offer is
 * acceptable is a separate step (ct_enc_offer_check) against a policy.
 */
#ifndef CT_ENC_NEGO_H
#define CT_ENC_NEGO_H

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "crypto/ct_enc.h"
#include "crypto/ct_enc_kt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_ENC_MAX_ALGS 16
#define CT_ENC_MAX_TEXT 4096
#define CT_ENC_MAX_WRAPPED 1024 /* an RSA-8192 ciphertext */
#define CT_ENC_KID_LEN 32

struct ct_enc_offer {
    uint8_t algs[CT_ENC_MAX_ALGS]; /* algorithm ids in offered order; 0 = a name not known here */
    size_t n_algs;
    enum ct_enc_kt kt;             /* CT_ENC_KT_UNKNOWN when the name is not known */
    unsigned parts;                /* CT_ENC_PART_* bits */
    char parts_text[32];           /* the parts exactly as offered (the selection repeats them) */
    uint8_t kid[CT_ENC_KID_LEN];
    uint8_t wrapped[CT_ENC_MAX_WRAPPED];
    size_t wrapped_len;
};

/*
 * ct_enc_offer_parse reads an offer text. Returns 0, or CT_ERR_PROTO (the server answers 406)
 * with diag saying what is malformed: wrong version, missing or repeated parameter, bad list,
 * unknown part, bad kid hex, bad key base64, too long.
 */
int ct_enc_offer_parse(struct ct_enc_offer *o, const char *text, struct ct_diag *diag);

/* ct_enc_offer_format appends the text of o, in the profile's parameter order. */
int ct_enc_offer_format(struct ct_buf *out, const struct ct_enc_offer *o);

/* What a server accepts. */
struct ct_enc_policy {
    uint8_t algs[CT_ENC_MAX_ALGS]; /* implemented and allowed, in the server's preference */
    size_t n_algs;
    unsigned kts;                  /* bit (1u << kt) for each accepted key transport */
    bool required;                 /* no session without the profile (ENC-POL-1) */
};

/* ct_enc_policy_default: aes256-gcm, aes128-gcm, the CBC-HS256 modes; rsa-oaep-sha256. */
void ct_enc_policy_default(struct ct_enc_policy *p);

/*
 * ct_enc_offer_check applies ENC-NEG-3/4 and ENC-CERT-3: the first algorithm allowed by the
 * policy, the key transport allowed, the kid one of kids (n_kids hashes). Returns 0 with *alg
 * set, or CT_ERR_UNSUPPORTED (406) with diag naming the reason.
 */
int ct_enc_offer_check(const struct ct_enc_offer *o, const struct ct_enc_policy *p,
                       const uint8_t (*kids)[CT_ENC_KID_LEN], size_t n_kids,
                       const struct ct_enc_alg **alg, struct ct_diag *diag);

/*
 * ct_enc_selection_format appends the server's selection for a session derived from
 * offer_text (PROFILE 3.2), with its confirm MAC.
 */
int ct_enc_selection_format(struct ct_buf *out, const struct ct_enc_session *s,
                            const char *offer_text, const char *parts_text);

/*
 * ct_enc_selection_check is the client's ENC-NEG-7: the selection text must name the first
 * offered algorithm and the offered parts, with the right confirm. Returns 0 or CT_ERR_PROTO
 * with diag saying which check failed.
 */
int ct_enc_selection_check(const struct ct_enc_session *s, const char *offer_text,
                           const struct ct_enc_offer *sent, const char *selection_text,
                           struct ct_diag *diag);

/* The server's capability list (PROFILE 3.3). */
struct ct_enc_caps {
    uint8_t algs[CT_ENC_MAX_ALGS];
    size_t n_algs;
    unsigned kts;
    uint8_t kid[CT_ENC_KID_LEN];
    bool required;
};

int ct_enc_caps_format(struct ct_buf *out, const struct ct_enc_caps *c);
int ct_enc_caps_parse(struct ct_enc_caps *c, const char *text, struct ct_diag *diag);

/* ct_enc_is_profile_text reports whether an EMI text belongs to this profile ("syncml-enc/"). */
bool ct_enc_is_profile_text(const char *text);

#endif
