// libpng's full write API (palettes, 16-bit, tRNS) reports errors by longjmp, which only C can catch.
#include "cpng_shim.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t size, capacity;
    int failed;
} buffer_t;

typedef struct {
    char *message;
    size_t message_size;
} error_t_;

static void write_data(png_structp png, png_bytep data, png_size_t length) {
    buffer_t *b = (buffer_t *)png_get_io_ptr(png);
    if (b->failed) return;
    if (b->size + length > b->capacity) {
        size_t capacity = (b->capacity + length) * 2;
        uint8_t *grown = realloc(b->data, capacity);
        if (!grown) { b->failed = 1; png_error(png, "out of memory"); }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, data, length);
    b->size += length;
}

static void flush_data(png_structp png) { (void)png; }

static void on_error(png_structp png, png_const_charp text) {
    error_t_ *e = (error_t_ *)png_get_error_ptr(png);
    snprintf(e->message, e->message_size, "%s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

int cpng_encode(const uint8_t *rows, size_t row_bytes, uint32_t width, uint32_t height, int bit_depth, int color_type,
                const uint8_t *palette, int palette_count, const uint8_t *transparency, int transparency_count,
                int compression_level, uint8_t **out, size_t *out_size, char *message, size_t message_size) {
    error_t_ err = { message, message_size };
    buffer_t *volatile buffer = calloc(1, sizeof(buffer_t));
    if (!buffer) { snprintf(message, message_size, "out of memory"); return -1; }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(message, message_size, "cannot create the PNG writer");
        png_destroy_write_struct(&png, NULL);
        free(buffer);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(buffer->data);
        free(buffer);
        return -1;
    }
    png_set_write_fn(png, buffer, write_data, flush_data);
    png_set_compression_level(png, compression_level);
    png_set_IHDR(png, info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette_count > 0) {
        png_color colors[256];
        for (int i = 0; i < palette_count && i < 256; i++) {
            colors[i].red = palette[3 * i]; colors[i].green = palette[3 * i + 1]; colors[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, info, colors, palette_count);
    }
    if (transparency_count > 0) png_set_tRNS(png, info, transparency, transparency_count, NULL);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, rows + (size_t)y * row_bytes);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = buffer->data;
    *out_size = buffer->size;
    free(buffer);
    return 0;
}

void cpng_free(uint8_t *buffer) { free(buffer); }
