// Exact guest-instruction counts for QEMU system emulation (TCG plugin API, version 1: QEMU 4.2
// and later). Every executed instruction adds one to a counter; for each named pair of marker
// addresses, reaching `begin` notes the counter and reaching `end` prints the difference:
//
//   cc -shared -fPIC -O2 -o libinsncount.so insncount.c
//   qemu-system-arm ... -d plugin -D counts.log
//     -plugin ./libinsncount.so,pair=op:0x4c0:0x4c4,pair=invoke:0x4c8:0x4cc   (one line)
//   counts.log:  insncount op 0 41234  /  insncount invoke 0 301220  /  insncount total 912345
//
// Region numbers count per pair from 0 in execution order. Without `-d plugin` QEMU drops the
// output. Only the handful of API entry points used are declared here, so no QEMU headers are
// needed (Debian's QEMU supports plugins but ships no headers).
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*udata_cb_t)(qemu_plugin_id_t, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb_t);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *, vcpu_udata_cb_t, int,
                                            void *);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *, int, void *, uint64_t);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb_t, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
void qemu_plugin_outs(const char *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

enum { MAX_PAIRS = 8 };
struct pair {
    char name[32];
    uint64_t begin, end;  // marker addresses, Thumb bit cleared
    uint64_t mark;        // the counter at the last begin
    unsigned regions;     // regions completed so far
};
static struct pair pairs[MAX_PAIRS];
static unsigned pair_count;
static uint64_t total;  // instructions executed so far (one vCPU: the boards are single-core)

static void on_begin(unsigned int vcpu, void *p) { ((struct pair *)p)->mark = total; }

static void on_end(unsigned int vcpu, void *p) {
    struct pair *pair = p;
    char line[96];
    snprintf(line, sizeof line, "insncount %s %u %" PRIu64 "\n", pair->name, pair->regions++,
             total - pair->mark);
    qemu_plugin_outs(line);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn) & ~1ull;
        for (unsigned k = 0; k < pair_count; k++) {
            if (pc == pairs[k].begin)
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS,
                                                       &pairs[k]);
            if (pc == pairs[k].end)
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS,
                                                       &pairs[k]);
        }
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
    }
}

static void on_run_end(qemu_plugin_id_t id, void *u) {
    char line[64];
    snprintf(line, sizeof line, "insncount total %" PRIu64 "\n", total);
    qemu_plugin_outs(line);
}

// `pair=NAME:BEGIN:END`, addresses in any base strtoull reads (0x... from nm).
static int parse_pair(const char *arg) {
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof pairs[0].name ||
        pair_count == MAX_PAIRS)
        return -1;
    struct pair *p = &pairs[pair_count];
    memcpy(p->name, arg, (size_t)(colon - arg));
    char *rest;
    p->begin = strtoull(colon + 1, &rest, 0) & ~1ull;
    if (*rest != ':') return -1;
    p->end = strtoull(rest + 1, &rest, 0) & ~1ull;
    if (*rest != '\0') return -1;
    pair_count++;
    return 0;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t *info, int argc,
                                                               char **argv) {
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "pair=", 5) != 0 || parse_pair(argv[i] + 5) != 0) {
            fprintf(stderr, "insncount: bad argument '%s' (want pair=NAME:BEGIN:END)\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_run_end, NULL);
    return 0;
}
