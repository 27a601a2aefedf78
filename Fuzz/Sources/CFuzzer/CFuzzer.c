// Declarations only: the driver comes from the fuzzer runtime (-sanitize=fuzzer).
#include "CFuzzer.h"
