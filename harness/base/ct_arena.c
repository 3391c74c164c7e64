#include "base/ct_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ct_arena_chunk {
    struct ct_arena_chunk *next;
    size_t used;
    size_t cap;
    alignas(max_align_t) unsigned char mem[];
};

#define CHUNK_MIN 8192u

void ct_arena_init(struct ct_arena *a)
{
    a->head = NULL;
}

static void free_chunks(struct ct_arena_chunk *c)
{
    while (c != NULL) {
        struct ct_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
}

void ct_arena_cleanup(struct ct_arena *a)
{
    free_chunks(a->head);
    a->head = NULL;
}

void ct_arena_reset(struct ct_arena *a)
{
    struct ct_arena_chunk *keep = a->head;
    if (keep == NULL)
        return;
    free_chunks(keep->next);
    keep->next = NULL;
    keep->used = 0;
}

void *ct_arena_alloc(struct ct_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX - align)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    struct ct_arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (cap > SIZE_MAX - sizeof(*c))
            return NULL;
        c = malloc(sizeof(*c) + cap);
        if (c == NULL)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void *ct_arena_calloc(struct ct_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return ct_arena_alloc(a, count * size);
}

char *ct_arena_strndup(struct ct_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = ct_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
