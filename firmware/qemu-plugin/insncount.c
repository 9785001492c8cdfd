// Exact guest-instruction counts for QEMU system emulation (TCG plugin API, version 1: QEMU 4.2
// and later), with the executed instructions sorted into timing classes. Every executed
// instruction adds one to a counter and one to its class's counter; for each named pair of
// marker addresses, reaching `begin` notes the counters and reaching `end` prints the
// differences:
//
//   cc -shared -fPIC -O2 -o libinsncount.so insncount.c
//   qemu-system-arm ... -d plugin -D counts.log
//     -plugin ./libinsncount.so,pair=op:0x4c0:0x4c4,pair=invoke:0x4c8:0x4cc   (one line)
//   counts.log:  insncount op 0 41234 alu=20011 mul=... taken=...  /  insncount total 912345
//
// The classes (Thumb-2 / Thumb-1 encodings, ARMv7-M ARM chapter A5 and ARMv6-M ARM A5.2, decoded
// once per instruction at translation time) are those the Cortex-M cycle tables distinguish:
// alu, mul (MUL, MLA, SMLAD, SMULL, ...), div, load and store (single), ldrd (LDRD/STRD),
// multiple (LDM/STM/PUSH/POP/VLDM/VSTM: `multiple` instructions moving `regs` words), branch
// (B, BX, CBZ), call (BL, BLX), fp and fpdiv (VDIV, VSQRT). Two more counts are flags on top:
// `pipelined`, loads that directly follow a single load in the same translation block whose
// destination is not their base register (Cortex-M4 TRM 3.3.2: one cycle less), and `taken`,
// control-flow instructions (branches, POP/LDR/MOV to pc, TBB) after which the next executed
// address is not the fall-through one. Taken-ness is seen at the start of the next translation
// block (QEMU ends a block at every branch). An IT-skipped instruction counts as executed, as
// it takes its issue slot on the core.
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
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, vcpu_udata_cb_t, int, void *);
void qemu_plugin_outs(const char *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

// Counters: the timing classes, then the two flags and the registers of LDM/STM.
enum {
    ALU, MUL, DIV, LOAD, STORE, LDRD, MULTIPLE, BRANCH, CALL, FP, FPDIV,  // classes
    PIPELINED, TAKEN, REGS,                                                // extra counts
    COUNTERS
};
static const char *const counter_names[COUNTERS] = {
    "alu", "mul", "div", "load", "store", "ldrd", "multiple", "branch", "call", "fp", "fpdiv",
    "pipelined", "taken", "regs"};

enum { MAX_PAIRS = 8 };
struct pair {
    char name[32];
    uint64_t begin, end;          // marker addresses, Thumb bit cleared
    uint64_t mark[COUNTERS + 1];  // the counters (and the total) at the last begin
    unsigned regions;             // regions completed so far
};
static struct pair pairs[MAX_PAIRS];
static unsigned pair_count;
// Executed so far (one vCPU: the boards are single-core): counts[COUNTERS] is the total.
static uint64_t counts[COUNTERS + 1];
// The fall-through address of the control-flow instruction that ended the last block, or 0.
static uint64_t pending_fallthrough;

static void on_begin(unsigned int vcpu, void *p) {
    memcpy(((struct pair *)p)->mark, counts, sizeof counts);
}

static void on_end(unsigned int vcpu, void *p) {
    struct pair *pair = p;
    char line[512];
    int n = snprintf(line, sizeof line, "insncount %s %u %" PRIu64, pair->name, pair->regions++,
                     counts[COUNTERS] - pair->mark[COUNTERS]);
    for (int k = 0; k < COUNTERS && n < (int)sizeof line; k++)
        n += snprintf(line + n, sizeof line - (size_t)n, " %s=%" PRIu64, counter_names[k],
                      counts[k] - pair->mark[k]);
    if (n < (int)sizeof line - 1) strcat(line, "\n");
    qemu_plugin_outs(line);
}

// A control-flow instruction ended the block: note where execution continues if not taken.
static void on_control_flow(unsigned int vcpu, void *fallthrough) {
    pending_fallthrough = (uint64_t)(uintptr_t)fallthrough;
}

// A block starts: the previous block's branch was taken unless we are at its fall-through.
static void on_block(unsigned int vcpu, void *vaddr) {
    if (pending_fallthrough) {
        if ((uint64_t)(uintptr_t)vaddr != pending_fallthrough) counts[TAKEN]++;
        pending_fallthrough = 0;
    }
}

struct decoded {
    int cls;        // ALU ... FPDIV
    int regs;       // words moved by a MULTIPLE
    int control;    // 1 if it may write the pc (a branch, POP {pc}, LDR pc, MOV pc, TBB)
    int base, dest; // a single load/store's base and transfer registers (-1: none)
};

static int popcount16(unsigned v) { return __builtin_popcount(v & 0xffffu); }

// One Thumb instruction (hw1, and hw2 for a 32-bit one), ARMv7-M ARM A5.2 (16-bit) and A5.3
// (32-bit); ARMv6-M's are a subset. Anything not recognised is ALU: one issue slot.
static struct decoded decode(unsigned hw1, unsigned hw2, int wide) {
    struct decoded d = {ALU, 0, 0, -1, -1};
    if (!wide) {
        if ((hw1 & 0xffc0) == 0x4340) d.cls = MUL;                      // MULS
        else if ((hw1 & 0xff00) == 0x4700) {                            // BX / BLX (register)
            d.cls = (hw1 & 0x80) ? CALL : BRANCH;
            d.control = 1;
        } else if ((hw1 & 0xfc00) == 0x4400) {                          // ADD/CMP/MOV high regs
            unsigned rd = (hw1 & 7) | ((hw1 >> 4) & 8);
            if (rd == 15 && (hw1 & 0x0300) != 0x0100) d.control = 1;   // ADD pc / MOV pc
        } else if ((hw1 & 0xf800) == 0x4800) {                          // LDR literal
            d.cls = LOAD; d.base = 15; d.dest = (hw1 >> 8) & 7;
        } else if ((hw1 & 0xf000) == 0x5000) {                          // register offset
            d.cls = ((hw1 >> 9) & 7) < 3 ? STORE : LOAD;
            d.base = (hw1 >> 3) & 7; d.dest = hw1 & 7;
        } else if ((hw1 & 0xe000) == 0x6000 || (hw1 & 0xf000) == 0x8000) {  // imm offset
            d.cls = (hw1 & 0x0800) ? LOAD : STORE;
            d.base = (hw1 >> 3) & 7; d.dest = hw1 & 7;
        } else if ((hw1 & 0xf000) == 0x9000) {                          // SP-relative
            d.cls = (hw1 & 0x0800) ? LOAD : STORE;
            d.base = 13; d.dest = (hw1 >> 8) & 7;
        } else if ((hw1 & 0xfe00) == 0xb400) {                          // PUSH
            d.cls = MULTIPLE; d.regs = popcount16(hw1 & 0x1ff);
        } else if ((hw1 & 0xfe00) == 0xbc00) {                          // POP
            d.cls = MULTIPLE; d.regs = popcount16(hw1 & 0x1ff);
            d.control = (hw1 >> 8) & 1;
        } else if ((hw1 & 0xf500) == 0xb100) {                          // CBZ / CBNZ
            d.cls = BRANCH; d.control = 1;
        } else if ((hw1 & 0xf000) == 0xc000) {                          // STM / LDM
            d.cls = MULTIPLE; d.regs = popcount16(hw1 & 0xff);
        } else if ((hw1 & 0xf000) == 0xd000 && (hw1 & 0x0e00) != 0x0e00) {  // B<cond>
            d.cls = BRANCH; d.control = 1;
        } else if ((hw1 & 0xf800) == 0xe000) {                          // B
            d.cls = BRANCH; d.control = 1;
        }
        return d;
    }
    if ((hw1 & 0xfe40) == 0xe800 && ((hw1 >> 7) & 3) != 0 && ((hw1 >> 7) & 3) != 3) {
        d.cls = MULTIPLE; d.regs = popcount16(hw2);                     // LDM/STM(DB), PUSH/POP
        d.control = (hw1 & 0x0010) && (hw2 & 0x8000);
    } else if ((hw1 & 0xfe40) == 0xe840) {                              // dual, exclusive, TBB
        if ((hw1 & 0xfff0) == 0xe8d0 && (hw2 & 0xffe0) == 0xf000) {
            d.cls = LOAD; d.control = 1;                                // TBB / TBH
        } else if ((hw1 & 0x0100) || (hw1 & 0x0020)) {
            d.cls = LDRD;
        } else {
            d.cls = (hw1 & 0x0010) ? LOAD : STORE;                      // LDREX / STREX
            d.base = hw1 & 15; d.dest = hw2 >> 12;
        }
    } else if ((hw1 & 0xfc00) == 0xec00 && ((hw2 >> 9) & 7) == 5) {     // the FPU (cp10/cp11)
        if ((hw1 & 0xffe0) == 0xec40) {
            d.cls = FP;                                                 // VMOV two core regs
        } else if ((hw1 & 0xfe00) == 0xec00) {                          // 1110 110P UDWL Rn
            if ((hw1 & 0x0120) == 0x0100) {
                d.cls = (hw1 & 0x10) ? LOAD : STORE;                    // VLDR / VSTR
                d.base = hw1 & 15;
            } else {
                d.cls = MULTIPLE; d.regs = hw2 & 0xff;                  // VLDM, VPUSH: words
            }
        } else if ((hw2 & 0x10) == 0 && ((hw1 & 0xffb0) == 0xee80 ||    // VDIV
                                         ((hw1 & 0xffbf) == 0xeeb1 && (hw2 & 0xc0) == 0xc0))) {
            d.cls = FPDIV;                                              // VSQRT
        } else {
            d.cls = FP;                                                 // arithmetic, VMOV, VMRS
        }
    } else if ((hw1 & 0xf800) == 0xf000 && (hw2 & 0x8000)) {            // branches and misc
        unsigned op2 = hw2 & 0x5000;
        if (op2 == 0x4000 || op2 == 0x5000) {
            d.cls = CALL; d.control = 1;                                // BL / BLX
        } else if (op2 == 0x1000) {
            d.cls = BRANCH; d.control = 1;                              // B.W
        } else if ((hw1 & 0x0380) != 0x0380) {
            d.cls = BRANCH; d.control = 1;                              // B<cond>.W
        }
    } else if ((hw1 & 0xfe00) == 0xf800) {                              // load/store single
        unsigned rt = hw2 >> 12;
        d.base = hw1 & 15; d.dest = rt;
        if ((hw1 & 0x0010) == 0) {
            d.cls = STORE;
        } else if (rt == 15 && (hw1 & 0x0060) != 0x0040) {
            d.cls = ALU; d.base = d.dest = -1;                          // PLD / PLI: hints
        } else {
            d.cls = LOAD;
            d.control = rt == 15;                                       // LDR pc
        }
    } else if ((hw1 & 0xff80) == 0xfb00) {                              // MUL, MLA, SMLAD, ...
        d.cls = MUL;
    } else if ((hw1 & 0xff80) == 0xfb80) {                              // long multiply, divide
        unsigned op1 = (hw1 >> 4) & 7;
        d.cls = (op1 == 1 || op1 == 3) && ((hw2 >> 4) & 15) == 15 ? DIV : MUL;
    }
    return d;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS,
                                         (void *)(uintptr_t)(qemu_plugin_tb_vaddr(tb) & ~1ull));
    int previous_load_dest = -1;  // the destination of the previous instruction if a LDR
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
        size_t size = qemu_plugin_insn_size(insn);
        const uint8_t *bytes = qemu_plugin_insn_data(insn);
        unsigned hw1 = bytes[0] | bytes[1] << 8;
        unsigned hw2 = size >= 4 ? (unsigned)(bytes[2] | bytes[3] << 8) : 0;
        struct decoded d = decode(hw1, hw2, size >= 4);

        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &counts[COUNTERS], 1);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &counts[d.cls], 1);
        if (d.cls == MULTIPLE)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &counts[REGS], (uint64_t)d.regs);
        if (d.cls == LOAD && !d.control && previous_load_dest >= 0 && d.base >= 0 &&
            d.base != previous_load_dest)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &counts[PIPELINED], 1);
        previous_load_dest = d.cls == LOAD && !d.control && d.dest >= 0 ? d.dest : -1;
        if (d.control && i == n - 1)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_control_flow,
                                                   QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)(pc + size));
    }
}

static void on_run_end(qemu_plugin_id_t id, void *u) {
    char line[64];
    snprintf(line, sizeof line, "insncount total %" PRIu64 "\n", counts[COUNTERS]);
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
