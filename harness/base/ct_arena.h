/*
 * ct_arena: a bump allocator for objects that live and die together (the typed view of a
 * message, the state of one scenario step). Nothing is freed individually; ct_arena_cleanup
 * releases everything at once, which keeps ownership obvious at every call site.
 */
#ifndef CT_ARENA_H
#define CT_ARENA_H

#include <stddef.h>

struct ct_arena_chunk;

struct ct_arena {
    struct ct_arena_chunk *head;
};

void ct_arena_init(struct ct_arena *a);

/* ct_arena_cleanup frees every allocation; the arena can be used again afterwards. */
void ct_arena_cleanup(struct ct_arena *a);

/*
 * ct_arena_reset frees every allocation but keeps one chunk for what comes next: for an arena
 * that is filled again at once (a message view rebuilt after an edit). A new chunk is a malloc
 * above glibc's small sizes, which first consolidates every small block freed since -- costly
 * right after libxml2 has freed a tree.
 */
void ct_arena_reset(struct ct_arena *a);

/* ct_arena_alloc returns n zeroed bytes aligned for any object, or NULL when out of memory. */
void *ct_arena_alloc(struct ct_arena *a, size_t n);

/* ct_arena_calloc is ct_arena_alloc(a, count * size) with an overflow check. */
void *ct_arena_calloc(struct ct_arena *a, size_t count, size_t size);

/* ct_arena_strndup copies n bytes of s and a NUL, or returns NULL when out of memory. */
char *ct_arena_strndup(struct ct_arena *a, const char *s, size_t n);

#endif
