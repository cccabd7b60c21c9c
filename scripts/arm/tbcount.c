// Counts guest instructions executed inside the harness's bench_region() from a qemu-user log
// made with `-d in_asm,exec,nochain` (qemu 7.2 has no TCG plugins in Debian's static build).
//
// in_asm prints each translation block (TB) once, when it is translated:
//     IN: symbol
//     0x0000005500012340:  a9bf7bfd  stp x29, x30, [sp, #-0x10]!
//     ...(one line per guest instruction)...
// exec with nochain prints one line per TB execution (chaining off, so none is skipped):
//     Trace 0: 0x7f...  [cs_base/pc/flags/cflags] symbol
// A TB is executed right after it is translated, so the first Trace of a new
// (cs_base, pc, flags, cflags) tuple takes the instruction count of the IN block just printed.
// Counting starts at the first TB of bench_region and stops at the first TB of bench_end (one
// line per region printed to stdout: the number of guest instructions executed). So the count is
// exact for TBs that run to completion; a TB left early by an exception would be over-counted,
// and the kernels raise none.
//
// With --all, every executed TB counts, from the first to the end of the log (one line: the
// whole process; scripts/arm-full counts a `sightline` run this way).
//
// usage: tbcount [--all] < qemu.log   (prints one count per bench_region call, or the total;
//                                      exit 1 on inconsistency)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char key[64]; unsigned n; int used; } Slot;
static Slot *table;
static size_t cap = 1 << 20, used;

static uint64_t hash(const char *s) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 0x100000001B3ull; }
    return h;
}
static Slot *lookup(const char *key) {
    size_t i = hash(key) & (cap - 1);
    while (table[i].used && strcmp(table[i].key, key) != 0) i = (i + 1) & (cap - 1);
    return &table[i];
}

int main(int argc, char **argv) {
    int all = argc > 1 && strcmp(argv[1], "--all") == 0;
    table = calloc(cap, sizeof *table);
    static char line[4096];
    int in_block = 0;
    unsigned block_n = 0;
    char block_pc[32] = "";
    int have_pending = 0;
    int counting = all;
    unsigned long long count = 0, regions = 0, unknown = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "IN:", 3) == 0) {
            in_block = 1; block_n = 0; block_pc[0] = 0; have_pending = 0;
            continue;
        }
        if (in_block) {
            if (strncmp(line, "0x", 2) == 0) {
                if (block_n == 0) {
                    size_t k = strcspn(line, ":");
                    if (k >= sizeof block_pc) k = sizeof block_pc - 1;
                    memcpy(block_pc, line, k); block_pc[k] = 0;
                }
                block_n++;
                continue;
            }
            if (line[0] == '\n' || line[0] == '-') { in_block = 0; have_pending = block_n > 0; }
            continue;
        }
        if (strncmp(line, "Trace ", 6) != 0) continue;
        char *lb = strchr(line, '['), *rb = lb ? strchr(lb, ']') : NULL;
        if (!lb || !rb || rb - lb >= 64) continue;
        char key[64];
        memcpy(key, lb + 1, rb - lb - 1); key[rb - lb - 1] = 0;
        const char *sym = rb + 2;
        size_t sl = strcspn(sym, "\n");
        Slot *s = lookup(key);
        if (!s->used) {
            // key = cs_base/pc/flags/cflags; the IN block's pc must match (leading zeros differ).
            char *p1 = strchr(key, '/');
            uint64_t pc = p1 ? strtoull(p1 + 1, NULL, 16) : 0;
            if (have_pending && strtoull(block_pc, NULL, 16) == pc) {
                if (used * 2 > cap) { fprintf(stderr, "tbcount: table full\n"); return 1; }
                strcpy(s->key, key); s->n = block_n; s->used = 1; used++;
                have_pending = 0;
            } else {
                unknown++;
                if (counting) {
                    fprintf(stderr, "tbcount: executed TB %s without a matching in_asm block\n", key);
                    return 1;
                }
                continue;
            }
        }
        if (all) { count += s->n; continue; }
        if (!counting && sl == 12 && strncmp(sym, "bench_region", 12) == 0) { counting = 1; count = 0; }
        else if (counting && sl == 9 && strncmp(sym, "bench_end", 9) == 0) {
            printf("%llu\n", count);
            counting = 0; regions++;
        }
        if (counting) count += s->n;
    }
    if (all) {
        printf("%llu\n", count);
        fprintf(stderr, "tbcount: %zu distinct TBs, %llu executions of untranslated TBs\n", used, unknown);
        return unknown ? 1 : 0;
    }
    if (counting) { fprintf(stderr, "tbcount: log ended inside bench_region\n"); return 1; }
    fprintf(stderr, "tbcount: %llu regions, %zu distinct TBs\n", regions, used);
    return 0;
}
