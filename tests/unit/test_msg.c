#include "testlib.h"

#include "base/ct_buf.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_build.h"
#include "syncml/ct_summary.h"
#include "syncml/ct_view.h"

#include <stdlib.h>
#include <string.h>

START_TEST(header_of_real_pkg1)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-01-pkg1-client.xml");
    const struct ct_hdr *h = ct_msg_hdr(m);
    ck_assert_int_eq(ct_msg_version(m), CT_VER_1_2);
    ck_assert_int_eq(ct_msg_encoding(m), CT_ENC_XML);
    ck_assert_ptr_null(ct_msg_wbxml_form(m));
    ck_assert_str_eq(h->ver_dtd, "1.2");
    ck_assert_str_eq(h->ver_proto, "SyncML/1.2");
    ck_assert_str_eq(h->msg_id, "1");
    ck_assert_ptr_nonnull(h->session_id);
    ck_assert_ptr_nonnull(strstr(h->target.uri, "/syncevolution"));
    ck_assert_str_eq(h->source.uri, "sevo-client-1");
    ck_assert_str_eq(h->source.name, "test");
    ck_assert_ptr_null(h->resp_uri);
    ck_assert(!h->no_resp);
    ck_assert_str_eq(h->cred.meta.type, CT_AUTH_URI_MD5);
    ck_assert_str_eq(h->cred.meta.format, "b64");
    ck_assert_str_eq(h->meta.max_msg_size, "150000");
    ck_assert_str_eq(h->meta.max_obj_size, "4000000");
    ct_msg_free(m);
}
END_TEST

START_TEST(body_of_real_pkg1)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-01-pkg1-client.xml");
    const struct ct_body *b = ct_msg_body(m);
    ck_assert(b->final);
    ck_assert_uint_eq(b->n_cmds, 4);
    const struct ct_cmd *put = &b->cmds[0];
    ck_assert_int_eq(put->kind, CT_CMD_PUT);
    ck_assert_str_eq(put->cmd_id, "1");
    ck_assert_str_eq(put->meta.type, "application/vnd.syncml-devinf+xml");
    ck_assert_uint_eq(put->n_items, 1);
    ck_assert_str_eq(put->items[0].source.uri, "./devinf12");
    /* DevInf arrives as elements: the Data node holds them, there is no text. */
    ck_assert_ptr_null(put->items[0].data);
    ck_assert_ptr_nonnull(put->items[0].data_node);
    const xmlNode *devinf = put->items[0].data_node->children;
    ck_assert_str_eq((const char *)devinf->name, "DevInf");
    ck_assert_str_eq((const char *)devinf->ns->href, "syncml:devinf");
    ck_assert_int_eq(b->cmds[1].kind, CT_CMD_GET);
    const struct ct_cmd *alert = ct_msg_find_cmd(m, CT_CMD_ALERT, 0);
    ck_assert_ptr_nonnull(alert);
    ck_assert_str_eq(alert->data, "201");
    ck_assert_uint_eq(alert->n_items, 1);
    ck_assert_ptr_nonnull(alert->items[0].target.uri);
    ck_assert_ptr_nonnull(alert->items[0].source.uri);
    ck_assert_ptr_nonnull(alert->items[0].meta.anchor_next);
    ck_assert_ptr_nonnull(ct_msg_find_cmd(m, CT_CMD_ALERT, 1));
    ck_assert_ptr_null(ct_msg_find_cmd(m, CT_CMD_ALERT, 2));
    ct_msg_free(m);
}
END_TEST

START_TEST(statuses_syncs_and_maps)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-02-pkg2-server.xml");
    const struct ct_cmd *st = ct_msg_find_status(m, "0");
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(st->cmd, "SyncHdr");
    ck_assert_str_eq(st->msg_ref, "1");
    ck_assert_str_eq(st->data, "212");
    ck_assert_ptr_nonnull(st->chal.meta.next_nonce);
    ck_assert_uint_eq(st->n_target_refs, 1);
    ck_assert_uint_eq(st->n_source_refs, 1);
    ck_assert_ptr_nonnull(ct_msg_hdr(m)->resp_uri);
    ck_assert_ptr_nonnull(ct_msg_find_cmd(m, CT_CMD_RESULTS, 0));
    ct_msg_free(m);

    m = tl_parse_file("captures/syncevo-xml-03-pkg3-client.xml");
    const struct ct_cmd *sync = ct_msg_find_cmd(m, CT_CMD_SYNC, 0);
    ck_assert_ptr_nonnull(sync);
    ck_assert_str_eq(sync->target.uri, "addressbook");
    ck_assert_str_eq(sync->source.uri, "./addressbook");
    ck_assert_uint_eq(sync->n_children, 2);
    const struct ct_cmd *add = &sync->children[0];
    ck_assert_int_eq(add->kind, CT_CMD_ADD);
    ck_assert_str_eq(add->meta.type, "text/vcard");
    ck_assert_str_eq(add->items[0].source.uri, "1");
    ck_assert_ptr_nonnull(strstr(add->items[0].data, "BEGIN:VCARD\nVERSION:3.0\n"));
    ck_assert_ptr_eq(ct_msg_find_cmd(m, CT_CMD_ADD, 0), add);
    ck_assert_ptr_nonnull(ct_msg_find_cmd(m, CT_CMD_ADD, 3));
    ck_assert_ptr_null(ct_msg_find_cmd(m, CT_CMD_ADD, 4));
    ct_msg_free(m);

    m = tl_parse_file("captures/syncevo-xml-05-pkg5-client.xml");
    const struct ct_cmd *map = ct_msg_find_cmd(m, CT_CMD_MAP, 0);
    ck_assert_ptr_nonnull(map);
    ck_assert_uint_eq(map->n_items, 1);
    ck_assert_str_eq(map->items[0].target.uri, "server-seed-1");
    ck_assert_str_eq(map->items[0].source.uri, "3");
    ct_msg_free(m);
}
END_TEST

/* Every SyncBody command of SyncML 1.2, with the fields the view exposes. */
static const char every_command[] =
    "<?xml version='1.0'?>\n"
    "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>"
    "<SessionID>9</SessionID><MsgID>4</MsgID><Target><LocURI>srv</LocURI><LocName>S</LocName></Target>"
    "<Source><LocURI>dev</LocURI></Source><RespURI>http://x/?s=9</RespURI><NoResp/>"
    "<Meta><MaxMsgSize xmlns='syncml:metinf'>9000</MaxMsgSize><EMI xmlns='syncml:metinf'>a</EMI>"
    "<EMI xmlns='syncml:metinf'>b</EMI></Meta></SyncHdr><SyncBody>"
    "<Alert><CmdID>1</CmdID><Data>200</Data></Alert>"
    "<Status><CmdID>2</CmdID><MsgRef>3</MsgRef><CmdRef>7</CmdRef><Cmd>Add</Cmd><TargetRef>t1</TargetRef>"
    "<TargetRef>t2</TargetRef><SourceRef>s1</SourceRef><Data>201</Data></Status>"
    "<Put><CmdID>3</CmdID><Lang>en</Lang><Item><Source><LocURI>./devinf12</LocURI></Source></Item></Put>"
    "<Get><CmdID>4</CmdID><Item><Target><LocURI>./devinf12</LocURI></Target></Item></Get>"
    "<Results><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Data>x</Data></Item></Results>"
    "<Sync><CmdID>6</CmdID><Target><LocURI>db</LocURI></Target><NumberOfChanges>5</NumberOfChanges>"
    "<Add><CmdID>7</CmdID><Item><Source><LocURI>1</LocURI></Source><Data>a</Data><MoreData/></Item></Add>"
    "<Replace><CmdID>8</CmdID><Item><Target><LocURI>2</LocURI></Target></Item></Replace>"
    "<Delete><CmdID>9</CmdID><Archive/><SftDel/><Item><Target><LocURI>3</LocURI></Target></Item></Delete>"
    "<Copy><CmdID>10</CmdID></Copy>"
    "<Move><CmdID>11</CmdID><Item><Target><LocURI>4</LocURI></Target><SourceParent><LocURI>p</LocURI>"
    "</SourceParent><TargetParent><LocURI>q</LocURI></TargetParent></Item></Move>"
    "<Atomic><CmdID>12</CmdID><Add><CmdID>13</CmdID></Add><Sequence><CmdID>14</CmdID>"
    "<Delete><CmdID>15</CmdID></Delete></Sequence></Atomic></Sync>"
    "<Map><CmdID>16</CmdID><Target><LocURI>db</LocURI></Target><Source><LocURI>ldb</LocURI></Source>"
    "<MapItem><Target><LocURI>g1</LocURI></Target><Source><LocURI>l1</LocURI></Source></MapItem></Map>"
    "<Exec><CmdID>17</CmdID><Correlator>c-1</Correlator><Item><Target><LocURI>./x</LocURI></Target></Item></Exec>"
    "<Search><CmdID>18</CmdID><Meta><Type xmlns='syncml:metinf'>q</Type></Meta></Search>"
    "<Final/></SyncBody></SyncML>";

START_TEST(every_command_kind)
{
    struct ct_msg *m = tl_parse_text(every_command);
    const struct ct_hdr *h = ct_msg_hdr(m);
    ck_assert_str_eq(h->target.name, "S");
    ck_assert_str_eq(h->resp_uri, "http://x/?s=9");
    ck_assert(h->no_resp);
    ck_assert_uint_eq(h->meta.n_emi, 2);
    ck_assert_str_eq(h->meta.emi[1], "b");
    static const enum ct_cmd_kind kinds[] = {CT_CMD_ALERT, CT_CMD_STATUS, CT_CMD_PUT, CT_CMD_GET,
                                             CT_CMD_RESULTS, CT_CMD_SYNC, CT_CMD_MAP, CT_CMD_EXEC,
                                             CT_CMD_SEARCH};
    const struct ct_body *b = ct_msg_body(m);
    ck_assert_uint_eq(b->n_cmds, sizeof(kinds) / sizeof(kinds[0]));
    for (size_t i = 0; i < b->n_cmds; i++) {
        ck_assert_int_eq(b->cmds[i].kind, kinds[i]);
        ck_assert_str_eq(b->cmds[i].name, ct_cmd_kind_name(kinds[i]));
    }
    const struct ct_cmd *st = &b->cmds[1];
    ck_assert_uint_eq(st->n_target_refs, 2);
    ck_assert_str_eq(st->target_refs[1], "t2");
    ck_assert_str_eq(st->source_refs[0], "s1");
    ck_assert_str_eq(b->cmds[2].lang, "en");
    const struct ct_cmd *sync = &b->cmds[5];
    ck_assert_str_eq(sync->number_of_changes, "5");
    ck_assert_uint_eq(sync->n_children, 6);
    ck_assert(sync->children[0].items[0].more_data);
    ck_assert(sync->children[2].archive && sync->children[2].sft_del);
    ck_assert_str_eq(sync->children[4].items[0].source_parent.uri, "p");
    ck_assert_str_eq(sync->children[4].items[0].target_parent.uri, "q");
    const struct ct_cmd *atomic = &sync->children[5];
    ck_assert_int_eq(atomic->kind, CT_CMD_ATOMIC);
    ck_assert_uint_eq(atomic->n_children, 2);
    ck_assert_int_eq(atomic->children[1].kind, CT_CMD_SEQUENCE);
    ck_assert_int_eq(atomic->children[1].children[0].kind, CT_CMD_DELETE);
    ck_assert_str_eq(ct_msg_find_cmd(m, CT_CMD_DELETE, 1)->cmd_id, "15");
    ck_assert_str_eq(b->cmds[6].items[0].target.uri, "g1");
    ck_assert_str_eq(b->cmds[7].correlator, "c-1");
    ck_assert_str_eq(b->cmds[8].meta.type, "q");
    ck_assert(b->final);
    /* The whole message survives WBXML. */
    struct ct_ser_opts o = {.enc = CT_ENC_WBXML};
    size_t len;
    uint8_t *wb = tl_serialize(m, &o, &len);
    struct ct_msg *back = tl_parse(wb, len);
    char *c1 = tl_canon(m), *c2 = tl_canon(back);
    ck_assert_str_eq(c1, c2);
    free(c1);
    free(c2);
    free(wb);
    ct_msg_free(back);
    ct_msg_free(m);
}
END_TEST

START_TEST(unknown_and_misplaced_elements_are_kept)
{
    static const char xml[] =
        "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><Bogus a='1'>x</Bogus>"
        "<MsgID>1</MsgID><MsgID>2</MsgID></SyncHdr><SyncBody><Frobnicate><CmdID>1</CmdID></Frobnicate>"
        "<Add><CmdID>2</CmdID></Add><!-- a comment --><Final/><Alert><CmdID>3</CmdID></Alert></SyncBody>"
        "<Trailer/></SyncML>";
    struct ct_msg *m = tl_parse_text(xml);
    /* The first of duplicates is what the view shows. */
    ck_assert_str_eq(ct_msg_hdr(m)->msg_id, "1");
    const struct ct_body *b = ct_msg_body(m);
    ck_assert_uint_eq(b->n_cmds, 3);
    ck_assert_int_eq(b->cmds[0].kind, CT_CMD_UNKNOWN);
    ck_assert_str_eq(b->cmds[0].name, "Frobnicate");
    ck_assert_int_eq(b->cmds[1].kind, CT_CMD_ADD); /* an Add outside Sync is still an Add */
    ck_assert_int_eq(b->cmds[2].kind, CT_CMD_ALERT); /* after Final, still listed */
    ck_assert(b->final);
    /* Nothing is lost when the message is shown or re-encoded as XML. */
    size_t len;
    uint8_t *out = tl_serialize(m, NULL, &len);
    ck_assert_ptr_nonnull(strstr((char *)out, "<Bogus a=\"1\">x</Bogus>"));
    ck_assert_ptr_nonnull(strstr((char *)out, "<MsgID>2</MsgID>"));
    ck_assert_ptr_nonnull(strstr((char *)out, "<Frobnicate>"));
    ck_assert_ptr_nonnull(strstr((char *)out, "<Trailer/>"));
    ck_assert_ptr_nonnull(strstr((char *)out, "<!-- a comment -->"));
    free(out);
    ct_msg_free(m);
}
END_TEST

START_TEST(build_serialize_parse)
{
    for (int v = CT_VER_1_1; v <= CT_VER_1_2; v++) {
        struct ct_msg *m = ct_msg_new((enum ct_ver)v);
        struct ct_hdr_spec h = {.session_id = "42", .msg_id = 3, .target_uri = "http://srv/sync",
                                .source_uri = "IMEI:1234", .source_name = "test",
                                .max_msg_size = 65536, .max_obj_size = 1048576};
        ck_assert_int_eq(ct_build_hdr(m, &h), CT_OK);
        ck_assert_ptr_nonnull(ct_auth_cred_add(ct_msg_hdr_node(m), CT_AUTH_BASIC, "test", "pw<&>", NULL, 0));
        xmlNode *alert = ct_build_cmd(m, NULL, "Alert");
        ct_el_add(alert, "Data", "200");
        xmlNode *item = ct_el_add(alert, "Item", NULL);
        ct_el_add_locus(item, "Target", "contacts", NULL);
        ct_el_add_locus(item, "Source", "./contacts", NULL);
        xmlNode *anchor = ct_el_add_metinf(ct_el_add(item, "Meta", NULL), "Anchor", NULL);
        ct_el_add(anchor, "Last", "1");
        ck_assert_ptr_nonnull(ct_el_add(anchor, "Next", "2 & <3>"));
        xmlNode *sync = ct_build_cmd(m, NULL, "Sync");
        xmlNode *add = ct_build_cmd(m, sync, "Add");
        xmlNode *it = ct_el_add(add, "Item", NULL);
        ct_el_add(it, "Data", "BEGIN:VCARD\r\nFN:A <x> & B\r\nEND:VCARD\r\n");
        ck_assert_ptr_nonnull(ct_build_final(m));
        ck_assert_int_eq(ct_msg_reindex(m), CT_OK);
        ck_assert_str_eq(ct_msg_hdr(m)->session_id, "42");
        ck_assert_str_eq(ct_msg_body(m)->cmds[1].children[0].cmd_id, "3");

        for (int enc = CT_ENC_XML; enc <= CT_ENC_WBXML; enc++) {
            struct ct_ser_opts o = {.enc = (enum ct_enc)enc};
            size_t len;
            uint8_t *wire = tl_serialize(m, &o, &len);
            struct ct_msg *p = tl_parse(wire, len);
            free(wire);
            ck_assert_int_eq(ct_msg_version(p), (enum ct_ver)v);
            ck_assert_int_eq(ct_msg_encoding(p), (enum ct_enc)enc);
            const struct ct_hdr *ph = ct_msg_hdr(p);
            ck_assert_str_eq(ph->ver_dtd, v == CT_VER_1_2 ? "1.2" : "1.1");
            ck_assert_str_eq(ph->msg_id, "3");
            ck_assert_str_eq(ph->source.name, "test");
            ck_assert_str_eq(ph->meta.max_obj_size, "1048576");
            ck_assert_str_eq(ct_msg_find_cmd(p, CT_CMD_ALERT, 0)->items[0].meta.anchor_next, "2 & <3>");
            /* The vCard text is exact in both encodings, CR LF and markup included. */
            const char *data = ct_msg_find_cmd(p, CT_CMD_ADD, 0)->items[0].data;
            ck_assert_str_eq(data, "BEGIN:VCARD\r\nFN:A <x> & B\r\nEND:VCARD\r\n");
            struct ct_auth_expect exp = {.user = "test", .password = "pw<&>"};
            ck_assert_int_eq(ct_auth_verify(&ph->cred, ph->source.name, &exp, NULL), CT_OK);
            char *c1 = tl_canon(m), *c2 = tl_canon(p);
            ck_assert_str_eq(c1, c2);
            free(c1);
            free(c2);
            if (enc == CT_ENC_WBXML) {
                const struct ct_wbxml_form *f = ct_msg_wbxml_form(p);
                ck_assert_ptr_nonnull(f);
                ck_assert_uint_eq(f->public_id, v == CT_VER_1_2 ? 0x1201 : 0x0FD3);
                ck_assert(!f->textual_public_id);
            }
            ct_msg_free(p);
        }
        ct_msg_free(m);
    }
}
END_TEST

START_TEST(check_names_missing_elements)
{
    struct ct_diag d = {0};
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-03-pkg3-client.xml");
    ck_assert_int_eq(ct_msg_check(m, &d), CT_OK);
    ct_msg_free(m);

    m = tl_parse_text("<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>"
                      "<SessionID>1</SessionID><Target><LocURI>a</LocURI></Target><Source><LocURI>b</LocURI>"
                      "</Source></SyncHdr><SyncBody/></SyncML>");
    ck_assert_int_eq(ct_msg_check(m, &d), CT_ERR_MISSING);
    ck_assert_ptr_nonnull(strstr(d.text, "/SyncML/SyncHdr has no <MsgID>"));
    ct_msg_free(m);

    ct_diag_clear(&d);
    m = tl_parse_text("<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>"
                      "<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>a</LocURI></Target><Source>"
                      "<LocURI>b</LocURI></Source></SyncHdr><SyncBody><Sync><CmdID>1</CmdID><Add><CmdID>2</CmdID>"
                      "</Add><Add></Add></Sync></SyncBody></SyncML>");
    ck_assert_int_eq(ct_msg_check(m, &d), CT_ERR_MISSING);
    ck_assert_ptr_nonnull(strstr(d.text, "/SyncML/SyncBody/Sync/Add[2] has no <CmdID>"));
    ct_msg_free(m);

    ct_diag_clear(&d);
    m = tl_parse_text("<SyncML/>");
    ck_assert_int_eq(ct_msg_check(m, &d), CT_ERR_MISSING);
    ck_assert_ptr_nonnull(strstr(d.text, "no <SyncHdr>"));
    ck_assert_int_eq(ct_msg_version(m), CT_VER_UNKNOWN);
    /* A message of no known version cannot be put into WBXML, and says so. */
    struct ct_buf out;
    ct_buf_init(&out, 0);
    struct ct_ser_opts o = {.enc = CT_ENC_WBXML};
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_msg_serialize(m, &o, &out, &d), CT_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(d.text, "version"));
    ct_buf_cleanup(&out);
    ct_msg_free(m);
}
END_TEST

START_TEST(version_from_namespace_or_header)
{
    struct ct_msg *m = tl_parse_text("<SyncML xmlns='syncml:syncml1.1'><SyncHdr/></SyncML>");
    ck_assert_int_eq(ct_msg_version(m), CT_VER_1_1);
    ct_msg_free(m);
    m = tl_parse_text("<SyncML><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr></SyncML>");
    ck_assert_int_eq(ct_msg_version(m), CT_VER_1_2);
    ct_msg_free(m);
}
END_TEST

START_TEST(content_types_and_detection)
{
    ck_assert_int_eq(ct_enc_from_content_type("application/vnd.syncml+xml"), CT_ENC_XML);
    ck_assert_int_eq(ct_enc_from_content_type("Application/VND.SyncML+WBXML; charset=UTF-8"), CT_ENC_WBXML);
    ck_assert_int_eq(ct_enc_from_content_type(" application/vnd.syncml+wbxml"), CT_ENC_WBXML);
    ck_assert_int_eq(ct_enc_from_content_type("application/vnd.syncml+xmlx"), CT_ENC_AUTO);
    ck_assert_int_eq(ct_enc_from_content_type("text/xml"), CT_ENC_AUTO);
    ck_assert_int_eq(ct_enc_from_content_type(NULL), CT_ENC_AUTO);
    ck_assert_str_eq(ct_enc_content_type(CT_ENC_WBXML), "application/vnd.syncml+wbxml");
    ck_assert_str_eq(ct_enc_content_type(CT_ENC_XML), "application/vnd.syncml+xml");
    ck_assert_int_eq(ct_enc_detect((const uint8_t *)"\xEF\xBB\xBF \n<S", 7), CT_ENC_XML);
    ck_assert_int_eq(ct_enc_detect((const uint8_t *)"\x02\xA4\x01", 3), CT_ENC_WBXML);
    ck_assert_int_eq(ct_enc_detect((const uint8_t *)"{}", 2), CT_ENC_AUTO);
    ck_assert_int_eq(ct_enc_detect((const uint8_t *)"", 0), CT_ENC_AUTO);
}
END_TEST

START_TEST(summary_shows_commands_not_secrets)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-wbxml-02-pkg2-server.wbxml");
    struct ct_buf b;
    ct_buf_init(&b, 0);
    ck_assert_int_eq(ct_msg_summary(m, &b), CT_OK);
    ck_assert_str_eq((char *)b.data,
                     "SyncML 1.2 WBXML sess=5 msg=1 Final | Results Alert(201) Alert(201) | status: "
                     "SyncHdr:212+Chal(syncml:auth-md5) Put:200 Get:200 Alert:200 Alert:200");
    ct_buf_cleanup(&b);
    ct_msg_free(m);
    m = tl_parse_file("captures/syncevo-xml-01-pkg1-client.xml");
    ct_buf_init(&b, 0);
    ck_assert_int_eq(ct_msg_summary(m, &b), CT_OK);
    ck_assert_ptr_nonnull(strstr((char *)b.data, "cred=syncml:auth-md5"));
    ck_assert_ptr_null(strstr((char *)b.data, ct_msg_hdr(m)->cred.data));
    ct_buf_cleanup(&b);
    ct_msg_free(m);
}
END_TEST

Suite *suite_msg(void)
{
    Suite *s = suite_create("msg");
    TCase *tc = tcase_create("msg");
    tcase_add_test(tc, header_of_real_pkg1);
    tcase_add_test(tc, body_of_real_pkg1);
    tcase_add_test(tc, statuses_syncs_and_maps);
    tcase_add_test(tc, every_command_kind);
    tcase_add_test(tc, unknown_and_misplaced_elements_are_kept);
    tcase_add_test(tc, build_serialize_parse);
    tcase_add_test(tc, check_names_missing_elements);
    tcase_add_test(tc, version_from_namespace_or_header);
    tcase_add_test(tc, content_types_and_detection);
    tcase_add_test(tc, summary_shows_commands_not_secrets);
    suite_add_tcase(s, tc);
    return s;
}
