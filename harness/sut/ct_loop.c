#include "sut/ct_loop.h"

#include <string.h>

int ct_loop_run(struct ct_server *srv, struct ct_client *cli, struct ct_diag *diag)
{
    return ct_loop_run_observed(srv, cli, NULL, NULL, diag);
}

int ct_loop_run_observed(struct ct_server *srv, struct ct_client *cli, ct_loop_observer observe,
                         void *ctx, struct ct_diag *diag)
{
    struct ct_buf msg;
    ct_buf_init(&msg, 0);
    const char *type = NULL;
    int rc = ct_client_start(cli, &msg, &type);
    bool done = ct_client_state(cli) != CT_CLIENT_RUNNING;
    for (unsigned round = 0; rc == CT_OK && !done; round++) {
        if (round == CT_LOOP_MAX_ROUNDS) {
            rc = ct_diag_set(diag, CT_ERR_PROTO, "no end after %d messages", CT_LOOP_MAX_ROUNDS);
            break;
        }
        const char *url = ct_client_url(cli);
        const char *q = strchr(url, '?');
        struct ct_request req = {msg.data, msg.len, type, q != NULL ? q + 1 : NULL};
        struct ct_response resp;
        if (observe != NULL)
            observe(ctx, true, msg.data, msg.len);
        rc = ct_server_handle(srv, &req, &resp);
        if (rc == CT_OK && observe != NULL)
            observe(ctx, false, resp.body.data, resp.body.len);
        if (rc == CT_OK && resp.http_status != 200)
            rc = ct_diag_set(diag, CT_ERR_PROTO, "HTTP %d: %s", resp.http_status,
                             resp.body.data != NULL ? (const char *)resp.body.data : "");
        ct_buf_reset(&msg);
        if (rc == CT_OK)
            rc = ct_client_receive(cli, resp.body.data, resp.body.len, resp.content_type, &msg, &done);
        ct_buf_cleanup(&resp.body);
    }
    ct_buf_cleanup(&msg);
    return rc;
}
