#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H
#include <stddef.h>
#include <stdint.h>

/// Encodes a PNG with libpng. `rows` holds `height` rows of `row_bytes` each, packed as the PNG format
/// stores them for `bit_depth` and `color_type` (16-bit samples big-endian). `palette` (`palette_count`
/// RGB triples) is for color type 3; `transparency` (`transparency_count` alpha bytes) adds a tRNS chunk.
/// Returns 0 and a malloc'd buffer in `*out` (free with `cpng_free`), or -1 with `message`.
int cpng_encode(const uint8_t *rows, size_t row_bytes, uint32_t width, uint32_t height, int bit_depth, int color_type,
                const uint8_t *palette, int palette_count, const uint8_t *transparency, int transparency_count,
                int compression_level, uint8_t **out, size_t *out_size, char *message, size_t message_size);

void cpng_free(uint8_t *buffer);
#endif
