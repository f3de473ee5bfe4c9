#define _GNU_SOURCE
#include "CCurlShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The parts of libcurl's ABI used here (curl/curl.h, stable since 7.x).
typedef void CURL;
struct curl_slist;
typedef int CURLcode;

enum {
    CURLE_OK = 0,
    CURLE_UNKNOWN_OPTION = 48,
    CURL_GLOBAL_DEFAULT = 3,
    CURL_ERROR_SIZE = 256,
};

enum {
    CURLOPT_WRITEDATA = 10001,
    CURLOPT_URL = 10002,
    CURLOPT_ERRORBUFFER = 10010,
    CURLOPT_WRITEFUNCTION = 20011,
    CURLOPT_POSTFIELDS = 10015,
    CURLOPT_CAINFO = 10065,
    CURLOPT_CAPATH = 10097,
    CURLOPT_HTTPHEADER = 10023,
    CURLOPT_HEADERDATA = 10029,
    CURLOPT_CUSTOMREQUEST = 10036,
    CURLOPT_NOBODY = 44,
    CURLOPT_FOLLOWLOCATION = 52,
    CURLOPT_HEADERFUNCTION = 20079,
    CURLOPT_HTTPGET = 80,
    CURLOPT_NOSIGNAL = 99,
    CURLOPT_POSTFIELDSIZE_LARGE = 30120,
    CURLOPT_TIMEOUT_MS = 155,
    CURLOPT_PROTOCOLS = 181,
    CURLOPT_PROTOCOLS_STR = 10318,
    CURLINFO_RESPONSE_CODE = 0x200000 + 2,
    CURLPROTO_HTTP = 1 << 0,
    CURLPROTO_HTTPS = 1 << 1,
};

typedef size_t (*ccurl_write_callback)(char *data, size_t size, size_t count, void *context);

static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *handle, int option, ...);
    CURLcode (*easy_perform)(CURL *handle);
    CURLcode (*easy_getinfo)(CURL *handle, int info, ...);
    void (*easy_cleanup)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[400];

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason ? reason : "dlopen failed");
        library = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) return;
    }
#define CCURL_SYMBOL(field, name)                                                                  \
    do {                                                                                           \
        *(void **)(&curl.field) = dlsym(library, name);                                            \
        if (curl.field == NULL) {                                                                  \
            snprintf(load_error, sizeof load_error, "libcurl has no %s", name);                    \
            return;                                                                                \
        }                                                                                          \
    } while (0)
    CCURL_SYMBOL(global_init, "curl_global_init");
    CCURL_SYMBOL(easy_init, "curl_easy_init");
    CCURL_SYMBOL(easy_setopt, "curl_easy_setopt");
    CCURL_SYMBOL(easy_perform, "curl_easy_perform");
    CCURL_SYMBOL(easy_getinfo, "curl_easy_getinfo");
    CCURL_SYMBOL(easy_cleanup, "curl_easy_cleanup");
    CCURL_SYMBOL(easy_strerror, "curl_easy_strerror");
    CCURL_SYMBOL(slist_append, "curl_slist_append");
    CCURL_SYMBOL(slist_free_all, "curl_slist_free_all");
#undef CCURL_SYMBOL
    // Not thread-safe in older libcurl: done once, here.
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed: %s", curl.easy_strerror(code));
        return;
    }
    loaded = 1;
}

int ccurl_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (!loaded && error != NULL && error_size > 0) snprintf(error, error_size, "%s", load_error);
    return loaded;
}

/// A growable buffer with a limit; `over` is set (and the transfer stopped) past it.
typedef struct {
    unsigned char *bytes;
    size_t length;
    size_t capacity;
    size_t limit;
    int over;
} buffer;

static int buffer_append(buffer *b, const char *data, size_t length) {
    if (length > b->limit - b->length) {
        b->over = 1;
        return 0;
    }
    if (b->length + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + length) capacity *= 2;
        unsigned char *bytes = realloc(b->bytes, capacity);
        if (bytes == NULL) return 0;
        b->bytes = bytes;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, data, length);
    b->length += length;
    return 1;
}

static size_t write_body(char *data, size_t size, size_t count, void *context) {
    size_t length = size * count;
    return buffer_append(context, data, length) ? length : 0;
}

/// Header lines of every answer arrive here (interim 1xx answers, a proxy's
/// CONNECT answer): a status line starts the final answer's lines anew.
static size_t write_header(char *data, size_t size, size_t count, void *context) {
    size_t length = size * count;
    buffer *headers = context;
    if (length >= 5 && memcmp(data, "HTTP/", 5) == 0) headers->length = 0;
    return buffer_append(headers, data, length) ? length : 0;
}

int ccurl_perform(const char *url, const char *method, const char *const *headers, size_t header_count,
                  const unsigned char *body, size_t body_length, long timeout_ms, const char *ca_file,
                  const char *ca_directory, size_t max_headers, size_t max_body, ccurl_response *response) {
    memset(response, 0, sizeof *response);
    if (!ccurl_load(response->error, sizeof response->error)) return -1;

    CURL *handle = curl.easy_init();
    if (handle == NULL) {
        snprintf(response->error, sizeof response->error, "curl_easy_init failed");
        return -2;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) {
        struct curl_slist *longer = curl.slist_append(list, headers[i]);
        if (longer == NULL) {
            curl.slist_free_all(list);
            curl.easy_cleanup(handle);
            snprintf(response->error, sizeof response->error, "out of memory for the request headers");
            return -2;
        }
        list = longer;
    }
    // No "Expect: 100-continue" round trip before a body.
    struct curl_slist *longer = curl.slist_append(list, "Expect:");
    if (longer != NULL) list = longer;

    buffer body_buffer = {.limit = max_body};
    buffer header_buffer = {.limit = max_headers};
    char error[CURL_ERROR_SIZE] = "";

    curl.easy_setopt(handle, CURLOPT_URL, url);
    curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
    curl.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    if (curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_UNKNOWN_OPTION) {
        curl.easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    }
    if (ca_file != NULL) curl.easy_setopt(handle, CURLOPT_CAINFO, ca_file);
    if (ca_directory != NULL) curl.easy_setopt(handle, CURLOPT_CAPATH, ca_directory);
    curl.easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl.easy_setopt(handle, CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, (ccurl_write_callback)write_body);
    curl.easy_setopt(handle, CURLOPT_WRITEDATA, (void *)&body_buffer);
    curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, (ccurl_write_callback)write_header);
    curl.easy_setopt(handle, CURLOPT_HEADERDATA, (void *)&header_buffer);
    if (strcmp(method, "GET") == 0 && body_length == 0) {
        curl.easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl.easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else {
        // POSTFIELDS makes a POST with this body (Content-Length set); CUSTOMREQUEST renames it.
        curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (int64_t)body_length);
        curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body_length > 0 ? (const void *)body : (const void *)"");
        if (strcmp(method, "POST") != 0) curl.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode code = curl.easy_perform(handle);
    response->curl_code = code;
    long status = 0;
    curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    response->status = status;
    response->body_too_large = body_buffer.over;
    response->headers_too_large = header_buffer.over;
    response->body = body_buffer.bytes;
    response->body_length = body_buffer.length;
    response->headers = header_buffer.bytes;
    response->headers_length = header_buffer.length;
    if (code != CURLE_OK) {
        snprintf(response->error, sizeof response->error, "%s", error[0] ? error : curl.easy_strerror(code));
    }
    curl.slist_free_all(list);
    curl.easy_cleanup(handle);
    return 0;
}

void ccurl_response_free(ccurl_response *response) {
    free(response->body);
    free(response->headers);
    response->body = NULL;
    response->headers = NULL;
    response->body_length = 0;
    response->headers_length = 0;
}
