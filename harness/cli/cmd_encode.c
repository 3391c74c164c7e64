/*
 * conftest encode: convert a SyncML message between XML and WBXML.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char encode_usage[] =
    "usage: conftest encode --wbxml|--xml [options] FILE|-\n"
    "\n"
    "Convert a SyncML 1.1/1.2 message (XML or WBXML, detected) to WBXML or XML.\n"
    "WBXML is written without a string table (libwbxml's table encoder is super-linear).\n"
    "\n"
    "Options:\n"
    "  --wbxml               write WBXML (application/vnd.syncml+wbxml)\n"
    "  --xml                 write XML (application/vnd.syncml+xml)\n"
    "  --pretty              XML: indent\n"
    "  --textual-public-id   WBXML: name the DTD by its FPI string, not the numeric public id\n"
    "  --wbxml-version V     WBXML: version 1.1, 1.2 (default) or 1.3\n"
    "  --max-size BYTES      largest input accepted (default 8M; K and M suffixes)\n"
    "  --max-depth N         deepest element nesting accepted (default 64, at most 256)\n"
    "  -o, --output FILE     write to FILE instead of standard output\n"
    "  -h, --help            show this help\n"
    "\n"
    "WBXML is binary: it is not written to a terminal; use -o or a pipe.\n"
    "Exit codes: 0 converted, 1 the input is not a valid SyncML message, 2 usage error,\n"
    "3 I/O or internal error.\n";

enum { OPT_XML = OPT_FIRST_PRIVATE, OPT_WBXML, OPT_PRETTY, OPT_TEXTUAL, OPT_WBXML_VERSION };

int cmd_encode(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"xml", no_argument, NULL, OPT_XML},
        {"wbxml", no_argument, NULL, OPT_WBXML},
        {"pretty", no_argument, NULL, OPT_PRETTY},
        {"textual-public-id", no_argument, NULL, OPT_TEXTUAL},
        {"wbxml-version", required_argument, NULL, OPT_WBXML_VERSION},
        {"max-size", required_argument, NULL, OPT_MAX_SIZE},
        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ct_limits lim;
    ct_limits_default(&lim);
    struct ct_ser_opts ser = {.enc = CT_ENC_AUTO};
    const char *output = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        int handled = cli_parse_limit_option("encode", opt, optarg, &lim);
        if (handled < 0)
            return CLI_EXIT_USAGE;
        if (handled > 0)
            continue;
        switch (opt) {
        case OPT_XML: ser.enc = CT_ENC_XML; break;
        case OPT_WBXML: ser.enc = CT_ENC_WBXML; break;
        case OPT_PRETTY: ser.pretty = true; break;
        case OPT_TEXTUAL: ser.textual_public_id = true; break;
        case OPT_WBXML_VERSION:
            if (strcmp(optarg, "1.1") == 0)
                ser.wbxml_version = 0x01;
            else if (strcmp(optarg, "1.2") == 0)
                ser.wbxml_version = 0x02;
            else if (strcmp(optarg, "1.3") == 0)
                ser.wbxml_version = 0x03;
            else {
                cli_error("encode", "--wbxml-version: '%s' is not 1.1, 1.2 or 1.3", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 'h': fputs(encode_usage, stdout); return CLI_EXIT_OK;
        default: fputs(encode_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (ser.enc == CT_ENC_AUTO) {
        cli_error("encode", "say which encoding to write: --wbxml or --xml");
        fputs(encode_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        cli_error("encode", "expected exactly one FILE (or - for standard input)");
        fputs(encode_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    bool to_stdout = output == NULL || strcmp(output, "-") == 0;
    if (ser.enc == CT_ENC_WBXML && to_stdout && isatty(STDOUT_FILENO)) {
        cli_error("encode", "refusing to write binary WBXML to a terminal (use -o FILE or a pipe)");
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    const char *name = cli_name(path);
    struct ct_msg *m = NULL;
    int status = cli_load_message("encode", path, CT_ENC_AUTO, &lim, &m);
    if (status != CLI_EXIT_OK)
        return status;
    struct ct_diag diag = {0};
    struct ct_buf out;
    ct_buf_init(&out, 0);
    int rc = ct_msg_serialize(m, &ser, &out, &diag);
    if (rc != CT_OK) {
        cli_error("encode", "%s: %s", name, diag.code != CT_OK ? diag.text : ct_strerror(rc));
        status = cli_exit_for(rc);
    } else {
        status = cli_write_output("encode", output, out.data, out.len);
    }
    ct_buf_cleanup(&out);
    ct_msg_free(m);
    return status;
}
