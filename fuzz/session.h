/*
 * The input framing of the session targets (docs/FUZZING.md): a sequence of records
 *
 *   record = flags:u8  length:u16 (big endian)  bytes[length]
 *
 * each one message of a session. The bytes are a SyncML message in XML that the target may
 * change before it goes out -- so that the fuzzer mutates plaintext and structure while the
 * cryptography stays right -- as the flags say:
 *
 *   0x01  seal the fields of the parts in force with the session keys
 *   0x02  send it as WBXML
 *   0x04  server target: put a fresh offer (conftest's known K, wrapped under the server's
 *         certificate) into this message's SyncHdr; client target: put the right selection
 *   0x80  send the bytes as they are (no parse, no change): for malformed input
 *
 * A record cut short ends the input.
 */
#ifndef CT_FUZZ_SESSION_H
#define CT_FUZZ_SESSION_H

#include <stddef.h>
#include <stdint.h>

enum {
    FUZZ_SEAL = 0x01,
    FUZZ_WBXML = 0x02,
    FUZZ_NEGOTIATE = 0x04,
    FUZZ_RAW = 0x80,
};

#define FUZZ_MAX_RECORDS 16

struct fuzz_record {
    uint8_t flags;
    const uint8_t *data;
    size_t len;
};

/* Split an input into at most FUZZ_MAX_RECORDS records; returns how many. */
static inline size_t fuzz_records(const uint8_t *in, size_t n, struct fuzz_record *out)
{
    size_t k = 0;
    while (k < FUZZ_MAX_RECORDS && n >= 3) {
        size_t len = (size_t)in[1] << 8 | in[2];
        if (len > n - 3)
            break;
        out[k].flags = in[0];
        out[k].data = in + 3;
        out[k].len = len;
        k++;
        in += 3 + len;
        n -= 3 + len;
    }
    return k;
}

#endif
