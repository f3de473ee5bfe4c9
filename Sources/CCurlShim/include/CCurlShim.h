// One HTTP exchange through libcurl, loaded with dlopen on first use so that
// programs linking this target do not load libcurl (and its ~30 dependent
// libraries) at start-up. No libcurl header is needed: the few functions and
// option numbers used are declared in CCurlShim.c (they are stable ABI).
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What ccurl_perform found. Free with ccurl_response_free.
typedef struct {
    /// The CURLcode of curl_easy_perform (0: an answer arrived).
    int curl_code;
    /// The HTTP status of the final answer (0 when none arrived).
    long status;
    /// 1 when the body or the headers passed their limit (the transfer was stopped).
    int body_too_large;
    int headers_too_large;
    /// The header lines of the final answer, status line first, as received (malloc'ed, may be NULL).
    unsigned char *headers;
    size_t headers_length;
    /// The body (malloc'ed, may be NULL).
    unsigned char *body;
    size_t body_length;
    /// curl's error text, or why libcurl could not be loaded or used.
    char error[512];
} ccurl_response;

/// Loads libcurl (libcurl.so.4, else libcurl-gnutls.so.4) once. Returns 1 when
/// it is usable; else 0 with the reason in `error`.
int ccurl_load(char *error, size_t error_size);

/// Sends one request and waits for the whole answer, `timeout_ms` at most
/// (from the start to the end of the transfer; at least 1).
///
/// `headers` are complete `Name: value` lines. `ca_file` and `ca_directory`,
/// when not NULL, replace libcurl's default trusted certificates
/// (CURLOPT_CAINFO, CURLOPT_CAPATH). Returns 0 when libcurl ran the
/// request (look at `response->curl_code`), -1 when libcurl cannot be loaded,
/// -2 when it could not set up the request; `response->error` says why.
int ccurl_perform(const char *url, const char *method, const char *const *headers, size_t header_count,
                  const unsigned char *body, size_t body_length, long timeout_ms, const char *ca_file,
                  const char *ca_directory, size_t max_headers, size_t max_body, ccurl_response *response);

/// Frees the buffers of a response filled by ccurl_perform.
void ccurl_response_free(ccurl_response *response);

#ifdef __cplusplus
}
#endif

#endif
