// libjpeg reports fatal errors through a callback that must not return; the only way back is longjmp,
// which Swift cannot do, so decoding and encoding sit behind these small C functions.
#include "cjpeg_shim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_size;
    int corrupt;  // a warning that means the pixels are not what the file holds
} shim_error;

static void shim_error_exit(j_common_ptr cinfo) {
    shim_error *e = (shim_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    e->base.format_message(cinfo, text);
    snprintf(e->message, e->message_size, "%s", text);
    longjmp(e->jump, 1);
}

static void shim_emit_message(j_common_ptr cinfo, int level) {
    shim_error *e = (shim_error *)cinfo->err;
    if (level >= 0 || e->corrupt) return;
    switch (e->base.msg_code) {
    case JWRN_EXTRANEOUS_DATA: case JWRN_JFIF_MAJOR: case JWRN_ADOBE_XFORM: case JWRN_BOGUS_ICC:
        return;  // harmless: the pixels are intact
    default: {
        char text[JMSG_LENGTH_MAX];
        e->base.format_message(cinfo, text);
        snprintf(e->message, e->message_size, "%s", text);
        e->corrupt = 1;
    }
    }
}

static void shim_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void shim_init_error(shim_error *e, char *message, size_t message_size) {
    jpeg_std_error(&e->base);
    e->base.error_exit = shim_error_exit;
    e->base.emit_message = shim_emit_message;
    e->base.output_message = shim_output_message;
    e->message = message;
    e->message_size = message_size;
    e->corrupt = 0;
}

int cjpeg_read_header(const char *path, cjpeg_header *header, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    shim_error err;
    shim_init_error(&err, message, message_size);
    cinfo.err = &err.base;
    FILE *volatile file = fopen(path, "rb");
    if (!file) { snprintf(message, message_size, "cannot open the file"); return -1; }
    if (setjmp(err.jump)) { jpeg_destroy_decompress(&cinfo); fclose(file); return -1; }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, file);
    jpeg_read_header(&cinfo, TRUE);
    fclose(file);
    header->width = cinfo.image_width;
    header->height = cinfo.image_height;
    header->components = cinfo.num_components;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int cjpeg_decode(const char *path, int denominator, int channels, uint64_t max_pixels,
                 uint8_t *out, size_t capacity, uint32_t *width, uint32_t *height, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    shim_error err;
    uint8_t *volatile row = NULL;  // volatile: read after longjmp
    shim_init_error(&err, message, message_size);
    cinfo.err = &err.base;
    FILE *volatile file = fopen(path, "rb");
    if (!file) { snprintf(message, message_size, "cannot open the file"); return -1; }
    if (setjmp(err.jump)) { free(row); jpeg_destroy_decompress(&cinfo); fclose(file); return -1; }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, file);
    jpeg_read_header(&cinfo, TRUE);
    if ((uint64_t)cinfo.image_width * cinfo.image_height > max_pixels) {
        snprintf(message, message_size, "declares %ux%u pixels, more than the limit of %llu",
                 cinfo.image_width, cinfo.image_height, (unsigned long long)max_pixels);
        jpeg_destroy_decompress(&cinfo);
        fclose(file);
        return -1;
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cmyk) cinfo.out_color_space = JCS_CMYK;
    else cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)denominator;
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    if (w * h * (size_t)channels > capacity) {
        snprintf(message, message_size, "decoded size %zux%zu does not fit the buffer", w, h);
        jpeg_destroy_decompress(&cinfo);
        fclose(file);
        return -1;
    }
    row = malloc(w * (size_t)cinfo.output_components);
    if (!row) { snprintf(message, message_size, "out of memory"); jpeg_destroy_decompress(&cinfo); fclose(file); return -1; }
    for (size_t y = 0; cinfo.output_scanline < cinfo.output_height; y++) {
        JSAMPROW current = row;
        jpeg_read_scanlines(&cinfo, &current, 1);
        uint8_t *dst = out + y * w * (size_t)channels;
        if (cmyk) {
            // Adobe writes CMYK inverted (0 = full ink), which libjpeg passes through: value = 255 - ink.
            for (size_t x = 0; x < w; x++) {
                const uint8_t *p = row + 4 * x;
                unsigned r = p[0] * p[3] / 255, g = p[1] * p[3] / 255, b = p[2] * p[3] / 255;
                if (channels == 1) dst[x] = (uint8_t)((r * 299 + g * 587 + b * 114 + 500) / 1000);
                else { dst[3 * x] = (uint8_t)r; dst[3 * x + 1] = (uint8_t)g; dst[3 * x + 2] = (uint8_t)b; }
            }
        } else {
            memcpy(dst, row, w * (size_t)channels);
        }
        if (err.corrupt) break;
    }
    free(row);
    row = NULL;
    if (err.corrupt) { jpeg_destroy_decompress(&cinfo); fclose(file); return -1; }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    fclose(file);
    if (err.corrupt) return -1;
    *width = (uint32_t)w;
    *height = (uint32_t)h;
    return 0;
}

int cjpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                 uint8_t **out, unsigned long *out_size, char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    shim_error err;
    shim_init_error(&err, message, message_size);
    cinfo.err = &err.base;
    *out = NULL;
    *out_size = 0;
    if (setjmp(err.jump)) { jpeg_destroy_compress(&cinfo); free(*out); *out = NULL; return -1; }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, out, out_size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * width * channels);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return 0;
}

void cjpeg_free(uint8_t *buffer) { free(buffer); }
