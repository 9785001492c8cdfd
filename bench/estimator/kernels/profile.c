// QEMU 7.x TCG plugin (API v1): a per-region execution profile for the estimator's kernel
// measurements. Like firmware/qemu-plugin/insncount.c it counts the guest instructions
// executed between each `bench_begin` and the next `bench_end`; for every region it also writes
//   - how often each instruction address ran and how often its branch was taken (a TB that is
//     entered from somewhere other than the end of the previous TB means the previous TB's last
//     instruction jumped), so cycles.py can apply a core's documented instruction timings;
//   - the data reads from the code memory (addresses below `flash_end`: the weights, which a
//     real board keeps in flash; [flash_begin, flash_end), default below 0x20000000), in bytes.
// code_base: the lowest code address (0 on mps2, 0x80000000 on the riscv32 virt board).
//   cc -shared -fPIC -O2 -o profile.so profile.c
//   qemu-system-arm ... -d plugin -plugin ./profile.so,begin=0x..,end=0x..,out=prof.txt
// Output lines: "region N insns I flash_read_bytes B flash_reads R" then "pc count taken".
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
typedef struct { const char *target_name; struct { int min, cur; } version; bool system_emulation; } qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { QEMU_PLUGIN_CB_NO_REGS = 0 };
enum { QEMU_PLUGIN_INLINE_ADD_U64 = 0 };
// Registered for reads and writes: QEMU 7.2 delivered only stores for QEMU_PLUGIN_MEM_R alone.
enum { QEMU_PLUGIN_MEM_RW = 3 };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*udata_cb_t)(qemu_plugin_id_t, void *userdata);
typedef void (*mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb_t);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, vcpu_udata_cb_t, int flags, void *);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *, vcpu_udata_cb_t, int flags, void *);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *, int op, void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *, mem_cb_t, int flags, int rw, void *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, udata_cb_t, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *);
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
void qemu_plugin_outs(const char *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define CODE_LIMIT (4u << 20)  // mps2 code memory is 4 MiB; microbit flash 256 KiB
static uint64_t total, mark, begin_pc = UINT64_MAX, end_pc = UINT64_MAX;
static uint64_t code_base = 0, flash_begin = 0, flash_end = 0x20000000, flash_bytes, flash_reads;
static uint64_t *exec_count, *taken_count;  // per halfword of code memory
static unsigned region;
static bool in_region;
static FILE *out;

struct tb_info { uint64_t start, end, last_pc; };

static void on_begin(unsigned int vcpu, void *u) {
    mark = total; in_region = true; flash_bytes = flash_reads = 0;
    memset(exec_count, 0, sizeof(uint64_t) * (CODE_LIMIT / 2));
    memset(taken_count, 0, sizeof(uint64_t) * (CODE_LIMIT / 2));
}

static void on_end(unsigned int vcpu, void *u) {
    in_region = false;
    fprintf(out, "region %u insns %" PRIu64 " flash_read_bytes %" PRIu64 " flash_reads %" PRIu64 "\n",
            region++, total - mark, flash_bytes, flash_reads);
    for (uint32_t i = 0; i < CODE_LIMIT / 2; i++)
        if (exec_count[i])
            fprintf(out, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", code_base + i * 2, exec_count[i], taken_count[i]);
    fflush(out);
}

static uint64_t prev_last_pc = UINT64_MAX, prev_end;
static void on_tb_exec2(unsigned int vcpu, void *u) {
    struct tb_info *tb = u;
    if (in_region && prev_last_pc - code_base < CODE_LIMIT && tb->start != prev_end)
        taken_count[(prev_last_pc - code_base) / 2]++;
    prev_last_pc = tb->last_pc; prev_end = tb->end;
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *u) {
    if (!in_region || qemu_plugin_mem_is_store(info) || vaddr < flash_begin || vaddr >= flash_end) return;
    flash_reads++;
    flash_bytes += 1u << qemu_plugin_mem_size_shift(info);
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    struct tb_info *info = calloc(1, sizeof *info);
    info->start = qemu_plugin_tb_vaddr(tb) & ~1ull;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn) & ~1ull;
        if (pc == begin_pc) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (pc == end_pc)   qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
        if (pc - code_base < CODE_LIMIT)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &exec_count[(pc - code_base) / 2], 1);
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
        if (i == n - 1) { info->last_pc = pc; info->end = pc + qemu_plugin_insn_size(insn); }
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec2, QEMU_PLUGIN_CB_NO_REGS, info);
}

static void on_plugin_exit(qemu_plugin_id_t id, void *u) {
    fprintf(out, "total insns %" PRIu64 "\n", total);
    fclose(out);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    const char *path = "profile.txt";
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "begin=", 6)) begin_pc = strtoull(argv[i] + 6, NULL, 0) & ~1ull;
        else if (!strncmp(argv[i], "end=", 4)) end_pc = strtoull(argv[i] + 4, NULL, 0) & ~1ull;
        else if (!strncmp(argv[i], "flash_end=", 10)) flash_end = strtoull(argv[i] + 10, NULL, 0);
        else if (!strncmp(argv[i], "flash_begin=", 12)) flash_begin = strtoull(argv[i] + 12, NULL, 0);
        else if (!strncmp(argv[i], "code_base=", 10)) code_base = strtoull(argv[i] + 10, NULL, 0);
        else if (!strncmp(argv[i], "out=", 4)) path = argv[i] + 4;
    }
    out = fopen(path, "w");
    exec_count = calloc(CODE_LIMIT / 2, sizeof(uint64_t));
    taken_count = calloc(CODE_LIMIT / 2, sizeof(uint64_t));
    if (!out || !exec_count || !taken_count) return -1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
