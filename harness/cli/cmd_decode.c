/*
 * conftest decode: show a SyncML message as indented XML.
 */
#include "cli/cli.h"

#include "syncml/ct_summary.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char decode_usage[] =
    "usage: conftest decode [options] FILE|-\n"
    "\n"
    "Print a SyncML 1.1/1.2 message, XML or WBXML (detected from its first bytes), as\n"
    "indented XML. Embedded WBXML DevInf is shown as XML, opaque NextNonce as base64.\n"
    "\n"
    "Options:\n"
    "  --xml, --wbxml        take the input as this encoding instead of detecting it\n"
    "  --content-type TYPE   take the encoding from a Content-Type value\n"
    "  --canonical           print the canonical form conftest compares messages by\n"
    "  --summary             print a one-line summary (header, commands, statuses) instead\n"
    "  --check               also check the structure (SyncHdr fields, CmdIDs); exit 1 on a problem\n"
    "  --max-size BYTES      largest message accepted (default 8M; K and M suffixes)\n"
    "  --max-depth N         deepest element nesting accepted (default 64, at most 256)\n"
    "  -o, --output FILE     write to FILE instead of standard output\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit codes: 0 decoded, 1 the input is not a valid SyncML message (the error names the\n"
    "byte offset or line and element), 2 usage error, 3 I/O or internal error.\n";

enum { OPT_XML = OPT_FIRST_PRIVATE, OPT_WBXML, OPT_CONTENT_TYPE, OPT_CANONICAL, OPT_SUMMARY, OPT_CHECK };

int cmd_decode(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"xml", no_argument, NULL, OPT_XML},
        {"wbxml", no_argument, NULL, OPT_WBXML},
        {"content-type", required_argument, NULL, OPT_CONTENT_TYPE},
        {"canonical", no_argument, NULL, OPT_CANONICAL},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"check", no_argument, NULL, OPT_CHECK},
        {"max-size", required_argument, NULL, OPT_MAX_SIZE},
        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ct_limits lim;
    ct_limits_default(&lim);
    enum ct_enc enc = CT_ENC_AUTO;
    bool canonical = false, summary = false, check = false;
    const char *output = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        int handled = cli_parse_limit_option("decode", opt, optarg, &lim);
        if (handled < 0)
            return CLI_EXIT_USAGE;
        if (handled > 0)
            continue;
        switch (opt) {
        case OPT_XML: enc = CT_ENC_XML; break;
        case OPT_WBXML: enc = CT_ENC_WBXML; break;
        case OPT_CONTENT_TYPE:
            enc = ct_enc_from_content_type(optarg);
            if (enc == CT_ENC_AUTO) {
                cli_error("decode", "--content-type: '%s' is neither %s nor %s", optarg,
                          CT_CONTENT_TYPE_XML, CT_CONTENT_TYPE_WBXML);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_CANONICAL: canonical = true; break;
        case OPT_SUMMARY: summary = true; break;
        case OPT_CHECK: check = true; break;
        case 'o': output = optarg; break;
        case 'h': fputs(decode_usage, stdout); return CLI_EXIT_OK;
        default: fputs(decode_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("decode", "expected exactly one FILE (or - for standard input)");
        fputs(decode_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    const char *name = cli_name(path);
    struct ct_msg *m = NULL;
    int status = cli_load_message("decode", path, enc, &lim, &m);
    if (status != CLI_EXIT_OK)
        return status;
    struct ct_diag diag = {0};
    if (check && ct_msg_check(m, &diag) != CT_OK) {
        /* Still print the message: seeing it is the point of decode. */
        cli_error("decode", "%s: %s", name, diag.text);
        status = CLI_EXIT_REJECTED;
        ct_diag_clear(&diag);
    }

    int rc;
    struct ct_buf out;
    ct_buf_init(&out, 0);
    struct ct_ser_opts ser = {.enc = CT_ENC_XML, .pretty = true};
    if (summary)
        rc = ct_msg_summary(m, &out);
    else if (canonical)
        rc = ct_msg_canonical(m, &out);
    else
        rc = ct_msg_serialize(m, &ser, &out, &diag);
    if (rc == CT_OK && summary)
        rc = ct_buf_append_str(&out, "\n");
    if (rc != CT_OK) {
        cli_error("decode", "%s: %s", name, diag.code != CT_OK ? diag.text : ct_strerror(rc));
        status = CLI_EXIT_ERROR;
    } else {
        int wrote = cli_write_output("decode", output, out.data, out.len);
        if (wrote != CLI_EXIT_OK)
            status = wrote;
    }
    ct_buf_cleanup(&out);
    ct_msg_free(m);
    return status;
}
