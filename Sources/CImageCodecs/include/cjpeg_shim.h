#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H
#include <stddef.h>
#include <stdint.h>

/// What a JPEG header declares.
typedef struct {
    uint32_t width, height;
    /// Components in the file: 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK.
    int components;
} cjpeg_header;

/// Reads the header of the JPEG file at `path`. Returns 0 on success, else fills `message` and returns -1.
int cjpeg_read_header(const char *path, cjpeg_header *header, char *message, size_t message_size);

/// Decodes the JPEG file at `path`, shrunk by libjpeg's DCT scaling to 1/`denominator` (1, 2, 4 or 8), as
/// `channels` (1 grey or 3 RGB) into `out` (`capacity` bytes). Writes the decoded size to `width`, `height`.
/// A truncated or corrupt stream is an error (libjpeg alone would only warn and fill with grey).
/// Returns 0 on success, else fills `message` and returns -1.
int cjpeg_decode(const char *path, int denominator, int channels, uint64_t max_pixels,
                 uint8_t *out, size_t capacity, uint32_t *width, uint32_t *height, char *message, size_t message_size);

/// Encodes `pixels` (`channels` 1 or 3, row-major) at `quality`; returns a malloc'd buffer in `*out`
/// (free with `cjpeg_free`) and its size in `*out_size`. Returns 0 on success, else -1 with `message`.
int cjpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                 uint8_t **out, unsigned long *out_size, char *message, size_t message_size);

void cjpeg_free(uint8_t *buffer);
#endif
