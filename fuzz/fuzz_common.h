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

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Silence libxml2 and initialise it; call from LLVMFuzzerInitialize. */
void fuzz_quiet_libxml(void);

/* The test PKI's server key and certificate (vectors/pki/server-2048), loaded on first use from
 * $CONFTEST_VECTORS or ./vectors; the process aborts if they are missing (a broken setup, not a
 * finding). */
EVP_PKEY *fuzz_server_key(void);
const char *fuzz_server_cert_path(void);

#endif
