/*
 * ct_summary: a one-line account of a message, for logs, console reports and "actual" in a
 * failed expectation:
 *
 *   SyncML 1.2 WBXML sess=5 msg=1 Final cred=syncml:auth-md5 | Put Get Alert(201) Sync[Add,Add]
 *   | status: SyncHdr:212+Chal(syncml:auth-md5) Alert:200
 *
 * Credentials and nonces are never shown, only their types.
 */
#ifndef CT_SUMMARY_H
#define CT_SUMMARY_H

#include "base/ct_buf.h"
#include "syncml/ct_msg.h"

/* ct_msg_summary appends the summary of m (no newline) to out. 0, CT_ERR_TOO_BIG or NOMEM. */
int ct_msg_summary(const struct ct_msg *m, struct ct_buf *out);

#endif
