#include "syncml/ct_summary.h"

#include "syncml/ct_view.h"

static int put_cmds(struct ct_buf *out, const struct ct_cmd *cmds, size_t n, bool nested)
{
    int rc = CT_OK;
    bool first = true;
    for (size_t i = 0; rc == CT_OK && i < n; i++) {
        const struct ct_cmd *c = &cmds[i];
        if (c->kind == CT_CMD_STATUS)
            continue;
        rc = ct_buf_append_str(out, first ? (nested ? "" : " ") : (nested ? "," : " "));
        first = false;
        if (rc == CT_OK)
            rc = ct_buf_append_str(out, c->name);
        if (rc == CT_OK && c->kind == CT_CMD_ALERT && c->data != NULL)
            rc = ct_buf_printf(out, "(%s)", c->data);
        if (rc == CT_OK && c->kind == CT_CMD_MAP)
            rc = ct_buf_printf(out, "[%zu]", c->n_items);
        if (rc == CT_OK && c->n_children > 0) {
            rc = ct_buf_append_str(out, "[");
            if (rc == CT_OK)
                rc = put_cmds(out, c->children, c->n_children, true);
            if (rc == CT_OK)
                rc = ct_buf_append_str(out, "]");
        }
    }
    return rc;
}

int ct_msg_summary(const struct ct_msg *m, struct ct_buf *out)
{
    const struct ct_hdr *h = ct_msg_hdr(m);
    const struct ct_body *b = ct_msg_body(m);
    enum ct_ver v = ct_msg_version(m);
    int rc = ct_buf_printf(out, "SyncML %s %s",
                           v == CT_VER_1_2 ? "1.2" : v == CT_VER_1_1 ? "1.1" : "?",
                           ct_msg_encoding(m) == CT_ENC_WBXML ? "WBXML" : "XML");
    if (rc == CT_OK)
        rc = ct_buf_printf(out, " sess=%s msg=%s", h->session_id ? h->session_id : "-",
                           h->msg_id ? h->msg_id : "-");
    if (rc == CT_OK && h->no_resp)
        rc = ct_buf_append_str(out, " NoResp");
    if (rc == CT_OK && b->final)
        rc = ct_buf_append_str(out, " Final");
    if (rc == CT_OK && h->cred.node != NULL)
        rc = ct_buf_printf(out, " cred=%s", h->cred.meta.type ? h->cred.meta.type : "(no type)");
    if (rc == CT_OK)
        rc = ct_buf_append_str(out, " |");
    if (rc == CT_OK)
        rc = put_cmds(out, b->cmds, b->n_cmds, false);
    if (rc == CT_OK)
        rc = ct_buf_append_str(out, " | status:");
    bool any = false;
    for (size_t i = 0; rc == CT_OK && i < b->n_cmds; i++) {
        const struct ct_cmd *c = &b->cmds[i];
        if (c->kind != CT_CMD_STATUS)
            continue;
        any = true;
        rc = ct_buf_printf(out, " %s:%s", c->cmd ? c->cmd : "?", c->data ? c->data : "?");
        if (rc == CT_OK && c->chal.node != NULL)
            rc = ct_buf_printf(out, "+Chal(%s)", c->chal.meta.type ? c->chal.meta.type : "?");
    }
    if (rc == CT_OK && !any)
        rc = ct_buf_append_str(out, " -");
    return rc;
}
