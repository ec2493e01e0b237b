/* Fuzz harness for the QEMU importer: the ftrace harness's body, run on import_qemu_ops. */
#define FUZZ_IMPORT_OPS import_qemu_ops
#define FUZZ_IMPORT_NAME "fuzz_import_qemu"
#include "fuzz_import_ftrace.c"
