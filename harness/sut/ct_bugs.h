/*
 * ct_bugs: the defects that can be switched on in the reference SUT (`--bug NAME`), each a
 * realistic mistake an implementer makes. With none on, the reference follows DS 1.2 and
 * docs/PROFILE.md; with one on, the scenarios that check its rule must fail, which is how the
 * suite proves it can fail. Some make the reference crash or hang on one particular malformed
 * input, so that the fuzzers have something real to find.
 *
 * The list, with the rule each breaks, is docs/BUGS.md; `conftest serve --list-bugs` prints it.
 */
#ifndef CT_BUGS_H
#define CT_BUGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ct_bug {
    /* server, profile */
    CT_BUG_PADDING_ORACLE,     /* CBC: padding checked before the MAC, answered 500 */
    CT_BUG_PKCS1_ORACLE,       /* key-transport failure answered 406 instead of a random key */
    CT_BUG_ACCEPT_CLEAR_FIELDS,/* fields of an encrypted part accepted in clear */
    CT_BUG_REPLAY_ACCEPTED,    /* no timestamp window, no replay cache */
    CT_BUG_IGNORE_TAG,         /* fields used although their tag or MAC does not verify */
    CT_BUG_PLAIN_WHEN_REQUIRED,/* a server that requires the profile accepts a plain session */
    CT_BUG_REFUSED_OFFER_500,  /* an offer it cannot take fails the message (HTTP 500), no 406 */
    /* server, DS 1.2 */
    CT_BUG_401_FOR_407,        /* missing credentials answered 401 */
    CT_BUG_MD5_NONCE_REUSE,    /* the same NextNonce every time */
    CT_BUG_IGNORE_MAXMSGSIZE,  /* Pkg#4 in one message whatever the client's MaxMsgSize */
    CT_BUG_DROP_MAP,           /* Map acknowledged but not stored */
    CT_BUG_ADD_STATUS_200,     /* Add answered 200 instead of 201 */
    /* server, crashes and hangs for the fuzzers */
    CT_BUG_LOCNAME_OVERFLOW,   /* LocName copied into a 64-byte buffer unchecked */
    CT_BUG_LO_OVERFLOW,        /* large object chunks copied into a buffer of the announced Size */
    CT_BUG_HANG_TINY_MSGSIZE,  /* a MaxMsgSize below the message overhead loops forever */
    /* client */
    CT_BUG_STATIC_NONCE,       /* the same GCM nonce or CBC IV for every field */
    CT_BUG_NO_CERT_CHECK,      /* a downloaded certificate chain is not validated */
    CT_BUG_ACCEPT_EXPIRED,     /* certificate validity dates are not checked */
    CT_BUG_SKIP_CONFIRM,       /* the server's selection and confirm are not checked */
    CT_BUG_CLEAR_FALLBACK,     /* after a refused offer, credentials go again in clear */
    CT_BUG_COUNT
};

struct ct_bug_info {
    enum ct_bug bug;
    const char *name;
    const char *role;  /* "server" or "client" */
    const char *rule;  /* the requirement it breaks */
    const char *what;
    bool fatal;        /* it crashes or hangs the reference: a harness must run it apart */
};

/* ct_bug_table lists every bug; *n receives the count. */
const struct ct_bug_info *ct_bug_table(unsigned *n);

/* ct_bug_by_name finds a bug by name (NULL if none). */
const struct ct_bug_info *ct_bug_by_name(const char *name);

/* A set of bugs switched on. */
struct ct_bugs {
    uint32_t on;
};

static inline bool ct_bug_on(const struct ct_bugs *b, enum ct_bug bug)
{
    return b != NULL && (b->on & (UINT32_C(1) << bug)) != 0;
}

static inline void ct_bug_set(struct ct_bugs *b, enum ct_bug bug)
{
    b->on |= UINT32_C(1) << bug;
}

#endif
