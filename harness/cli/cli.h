/*
 * The conftest command: one file per subcommand (cmd_<name>.c), this header between them.
 */
#ifndef CT_CLI_H
#define CT_CLI_H

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "syncml/ct_msg.h"

#include <stdbool.h>

/* Exit codes, documented in docs/CLI.md. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REJECTED = 1, /* the input or the SUT failed what was asked of it */
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_ERROR = 3,    /* conftest could not do the job: I/O, memory, internal */
};

int cmd_decode(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_vectors(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_coverage(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);

/* cli_error prints "conftest: <subcommand>: message" on stderr. */
void cli_error(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_exit_for maps an error code to an exit code. */
int cli_exit_for(int code);

/*
 * cli_parse_limit_option handles --max-size and --max-depth for subcommands that parse
 * messages: returns 1 if opt was one of them (and stores the value), 0 if not, -1 after
 * printing an error for a bad value.
 */
int cli_parse_limit_option(const char *sub, int opt, const char *arg, struct ct_limits *lim);

/* cli_read_input reads FILE or "-" (stdin), bounded by max bytes; prints errors itself.
 * Returns 0 or an exit code. */
int cli_read_input(const char *sub, const char *path, size_t max, struct ct_buf *out);

/* cli_name is how a path is named in messages ("<stdin>" for "-"). */
const char *cli_name(const char *path);

/* cli_load_message reads FILE or "-" and parses it as a SyncML message (enc CT_ENC_AUTO:
 * detect), printing any error itself. Returns 0 with *out set, or an exit code. */
int cli_load_message(const char *sub, const char *path, enum ct_enc enc,
                     const struct ct_limits *lim, struct ct_msg **out);

/* cli_self_exe writes the path of the running conftest binary (the builtin reference is this
 * very binary). 0, or -1 after printing an error. */
int cli_self_exe(const char *sub, char *buf, size_t size);

/* cli_find_vectors finds the vectors directory: given (--vectors), $CONFTEST_VECTORS, ./vectors,
 * or beside the binary; NULL after printing an error when its test PKI is missing. */
const char *cli_find_vectors(const char *sub, const char *given, const char *exe, char *buf, size_t size);

/* cli_known_bug says whether name is a seeded bug of the reference; prints an error if not. */
bool cli_known_bug(const char *sub, const char *name);

/* cli_mkdirs creates a directory and its parents (mode 0700). 0, or -1 with errno. */
int cli_mkdirs(const char *dir);

/* cli_write_output writes data to path (NULL or "-" is stdout). Returns 0 or an exit code. */
int cli_write_output(const char *sub, const char *path, const void *data, size_t len);

/* --dump DIR of serve and sync: every message exactly as it went over the wire, numbered in
 * the order seen (NNN-c2s.xml, NNN-s2c.wbxml, ...). Credentials are in them: the user asked. */
struct cli_dump {
    const char *dir; /* NULL: off */
    unsigned no;
};

/* cli_dump_write writes one message; direction is "c2s" or "s2c". Errors are printed, not
 * fatal: a dump is a record, the session goes on without it. */
void cli_dump_write(struct cli_dump *d, const char *sub, const char *direction, const void *p,
                    size_t n, const char *content_type);

/* Long option values shared by the subcommands (beyond the ASCII range of short options). */
enum {
    OPT_MAX_SIZE = 0x100,
    OPT_MAX_DEPTH,
    OPT_FIRST_PRIVATE, /* subcommands number their own options from here */
};

#endif
