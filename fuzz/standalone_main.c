/*
 * The replay driver: runs a fuzz target over files and directories (recursively), one input
 * per file, as libFuzzer would run a corpus without mutating it. It is the default engine of
 * the fuzz build, so that `make test` replays every corpus under ASan and UBSan; a crash
 * stops it with the sanitizer's report and the file's name.
 *
 *   build/fuzz/<target> FILE|DIR...
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static unsigned long runs;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    /* Inputs are bounded like libFuzzer's -max_len default would not: 16 MiB is plenty. */
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (size_t r; buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap && cap < (16u << 20)) {
            uint8_t *b = realloc(buf, cap * 2);
            if (b == NULL)
                break;
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL)
        return 1;
    fprintf(stderr, "replay %s (%zu bytes)\n", path, n);
    /* An exact-size copy, so that ASan sees any read past the input. */
    uint8_t *exact = malloc(n ? n : 1);
    if (exact != NULL) {
        memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        runs++;
    }
    free(exact);
    free(buf);
    return 0;
}

static int run_path(const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    if (depth > 8)
        return 0;
    struct dirent **list = NULL;
    int n = scandir(path, &list, NULL, alphasort);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') {
            char sub[4096];
            snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
            rc |= run_path(sub, depth + 1);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= run_path(argv[i], 0);
    fprintf(stderr, "%lu inputs replayed\n", runs);
    return rc;
}
