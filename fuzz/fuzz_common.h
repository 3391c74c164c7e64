/*
 * What every fuzz target shares: the libFuzzer entry points, a quiet libxml2 (its messages
 * would drown the fuzzer's output and cost time), and the test PKI's key, loaded once.
 *
 * Targets are built for three engines by the top Makefile (docs/FUZZING.md): the replay driver
 * (standalone_main.c, what `make test` runs over the corpora), libFuzzer and AFL++. They must
 * not keep state between inputs beyond what they set up once.
 */
#ifndef CT_FUZZ_COMMON_H
#define CT_FUZZ_COMMON_H

#include "syncml/ct_msg.h"

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Silence libxml2 and initialise it; call from LLVMFuzzerInitialize. */
void fuzz_quiet_libxml(void);

/*
 * Parse data as a SyncML message in enc (bounded: 1 MiB, depth 64) and, when it parses, take it
 * through everything conftest does with what a peer sends: the structure check, the canonical
 * form, the summary, and out again as XML and as WBXML. Shared by xml_parse and wbxml_decode.
 */
void fuzz_message(const uint8_t *data, size_t size, enum ct_enc enc);

/* The test PKI's server key and certificate (vectors/pki/server-2048), loaded on first use from
 * $CONFTEST_VECTORS or ./vectors; the process aborts if they are missing (a broken setup, not a
 * finding). */
EVP_PKEY *fuzz_server_key(void);
const char *fuzz_server_cert_path(void);

#endif
