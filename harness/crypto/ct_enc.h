/*
 * ct_enc: the encryption profile syncml-enc/1 (docs/PROFILE.md) -- algorithms, key schedule,
 * associated data and encrypted fields. Negotiation texts are in ct_enc_nego.h, key transport
 * in ct_enc_kt.h, certificates in ct_enc_cert.h.
 *
 * A struct ct_enc_session holds the keys of one session (one Pkg#1 offer) for both
 * directions, with their nonce counters and data budgets. Known-key mode: the caller chooses
 * the session key K (ct_enc_session_init takes it) and may replace the random source of CBC
 * IVs (struct ct_enc_rand), so an exchange is reproducible byte for byte; GCM nonces are
 * counters and reproducible anyway.
 *
 * Secrets: key material is wiped by ct_enc_session_wipe; nothing here logs or formats it.
 */
#ifndef CT_ENC_H
#define CT_ENC_H

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "crypto/ct_cipher.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_ENC_VERSION "syncml-enc/1"
/* The EMI text that marks a field as encrypted (PROFILE 5). */
#define CT_ENC_MARKER CT_ENC_VERSION
#define CT_ENC_KEY_LEN 32
#define CT_ENC_EF_VERSION 0x01
#define CT_ENC_EF_HEADER_LEN 2

enum ct_enc_mode {
    CT_ENC_MODE_GCM,
    CT_ENC_MODE_CBC_HMAC, /* encrypt-then-MAC with HMAC-SHA-256 */
    CT_ENC_MODE_CBC,      /* INSECURE: no integrity, no associated data */
};

enum ct_enc_grade {
    CT_ENC_RECOMMENDED,
    CT_ENC_ALLOWED,
    CT_ENC_LEGACY,
    CT_ENC_INSECURE,
};

/* One row of PROFILE section 6. */
struct ct_enc_alg {
    uint8_t id;
    const char *name;
    enum ct_enc_mode mode;
    enum ct_block_cipher cipher;
    size_t enc_len;
    size_t mac_len;
    size_t iv_len;
    size_t tag_len;
    enum ct_enc_grade grade;
};

/* ct_enc_alg_by_id and ct_enc_alg_by_name look an algorithm up; NULL if unknown. */
const struct ct_enc_alg *ct_enc_alg_by_id(uint8_t id);
const struct ct_enc_alg *ct_enc_alg_by_name(const char *name, size_t len);

/* ct_enc_alg_table is the whole table, in PROFILE order; *n receives its length. */
const struct ct_enc_alg *ct_enc_alg_table(size_t *n);

enum ct_enc_dir {
    CT_ENC_C2S = 0,
    CT_ENC_S2C = 1,
};

/* Parts, as a bit set. */
enum {
    CT_ENC_PART_CRED = 1u << 0,
    CT_ENC_PART_DEVINF = 1u << 1,
    CT_ENC_PART_DATA = 1u << 2,
};

/* ct_enc_dir_name is "c2s" or "s2c"; ct_enc_part_name is "cred", "devinf" or "data". */
const char *ct_enc_dir_name(enum ct_enc_dir dir);
const char *ct_enc_part_name(unsigned part);

/* The keys and counters of one direction. */
struct ct_enc_dirkeys {
    uint8_t enc[32];
    uint8_t mac[32];
    uint64_t sealed;   /* GCM: the last nonce counter used to seal (0: none yet) */
    uint64_t accepted; /* GCM: the highest nonce counter accepted */
    uint64_t blocks;   /* 3DES: blocks of 8 bytes processed under this key */
    bool exhausted;    /* 3DES: the budget is used up; every later field is refused */
};

/* Where CBC IVs come from; bytes == NULL means OpenSSL's CSPRNG. */
struct ct_enc_rand {
    int (*bytes)(void *ctx, uint8_t *out, size_t n);
    void *ctx;
};

struct ct_enc_session {
    const struct ct_enc_alg *alg;
    unsigned parts;
    struct ct_enc_dirkeys dir[2];
    uint8_t confirm_key[32];
    struct ct_enc_rand rand;
};

/* What the key schedule binds the keys to (PROFILE 7.1); texts exactly as sent. */
struct ct_enc_binding {
    const char *offer;      /* the offer EMI text */
    const char *session_id; /* Pkg#1 SyncHdr/SessionID */
    const char *device_id;  /* Pkg#1 SyncHdr/Source/LocURI */
};

/* 3DES budget: 2^20 blocks of 8 bytes per direction key (PROFILE ENC-ALG-4). */
#define CT_ENC_3DES_MAX_BLOCKS (UINT64_C(1) << 20)

/*
 * ct_enc_session_init derives the keys of a session from the session key K (PROFILE 7.1) for
 * algorithm alg and the parts in force. rand may be NULL (CSPRNG). Returns 0,
 * CT_ERR_CRYPTO when a derived 3DES key is degenerate (K1 = K2 or K2 = K3: a key-transport
 * failure, ENC-KT-3), CT_ERR_INVALID_ARG (missing binding text) or CT_ERR_INTERNAL. On error s
 * holds no key.
 */
int ct_enc_session_init(struct ct_enc_session *s, const struct ct_enc_alg *alg, unsigned parts,
                        const uint8_t key[CT_ENC_KEY_LEN], const struct ct_enc_binding *bind,
                        const struct ct_enc_rand *rand);

/* ct_enc_session_wipe erases every key of s. */
void ct_enc_session_wipe(struct ct_enc_session *s);

/*
 * ct_enc_3des_degenerate reports whether a 24-byte 3DES key has K1 = K2 or K2 = K3 (parity
 * bits ignored), which the profile treats as a key-transport failure (ENC-KT-3).
 */
bool ct_enc_3des_degenerate(const uint8_t key[24]);

/* The context of one encrypted field (PROFILE 7.3). NULL strings count as empty. */
struct ct_enc_aad {
    enum ct_enc_dir dir;
    unsigned part; /* one CT_ENC_PART_* */
    const char *session_id;
    const char *msg_id;
    const char *cmd_id;
    const char *db;
    const char *loc_uri;
};

/* ct_enc_aad_bytes appends the associated data A of a field to out. */
int ct_enc_aad_bytes(struct ct_buf *out, const struct ct_enc_aad *a);

/*
 * ct_enc_seal encrypts n bytes of plaintext as the field described by a, sealed with the keys
 * of a->dir, and appends base64(EF) to out. Uses the next GCM nonce, or a fresh CBC IV from the
 * session's random source. Returns 0, CT_ERR_CRYPTO_LIMIT (3DES budget, GCM counter),
 * CT_ERR_NOMEM, CT_ERR_INTERNAL.
 */
int ct_enc_seal(struct ct_enc_session *s, const struct ct_enc_aad *a, const uint8_t *pt, size_t n,
                struct ct_buf *out);

/*
 * ct_enc_open decrypts the base64(EF) text of the field described by a and appends the
 * plaintext to out. Every failure of the FIELD class (PROFILE 9.2: base64, length, version, id,
 * tag or HMAC, padding, associated data, stale nonce) is the same CT_ERR_CRYPTO, and nothing
 * is appended; CT_ERR_CRYPTO_LIMIT when the direction's 3DES budget is used up. Accepting a
 * GCM field advances the direction's accepted counter.
 */
int ct_enc_open(struct ct_enc_session *s, const struct ct_enc_aad *a, const char *b64,
                struct ct_buf *out);

/*
 * ct_enc_seal_bad_padding is a lever for conformance tests (ENC-ORC-2, the padding oracle): it
 * seals like ct_enc_seal, but the CBC plaintext ends in a block whose padding is invalid, under
 * a valid HMAC -- what only a holder of the keys can make, and what a receiver must refuse
 * exactly like a bad HMAC. CBC algorithms only (CT_ERR_UNSUPPORTED otherwise).
 */
int ct_enc_seal_bad_padding(struct ct_enc_session *s, const struct ct_enc_aad *a, const uint8_t *pt,
                            size_t n, struct ct_buf *out);

/* The parts of an EF, pointing into the bytes given to ct_enc_ef_split. */
struct ct_enc_ef {
    uint8_t version;
    uint8_t id;
    const uint8_t *iv;
    size_t iv_len;
    const uint8_t *ct;
    size_t ct_len;
    const uint8_t *tag;
    size_t tag_len;
};

/*
 * ct_enc_ef_split cuts a decoded EF into its parts using the lengths of the algorithm its id
 * names (for the harness's mutations and for reporting). Returns 0, or CT_ERR_PARSE when the
 * id is unknown or the EF is too short.
 */
int ct_enc_ef_split(const uint8_t *ef, size_t n, struct ct_enc_ef *out);

#endif
