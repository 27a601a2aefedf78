#ifndef QUIRE_CZLIB_SHIM_H
#define QUIRE_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro; Swift cannot call macros, so wrap it.
// windowBits 15: a zlib stream (RFC 1950); -15: raw deflate (RFC 1951), as ZIP entries hold.
static inline int quire_inflate_init_bits(z_stream *stream, int bits) {
    return inflateInit2(stream, bits);
}

static inline int quire_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
#endif
