// libFuzzer's driver, for a Swift main that hands over to it (LLVM 11 and later).
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
