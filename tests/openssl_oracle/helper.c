/*
 * Oracle for tlslint's differential tests: asks the machine's libssl (the
 * library behind the `openssl` command) how it reads cipher strings, TLS 1.3
 * ciphersuite lists and group lists. It loads libssl with dlopen, so it
 * needs no OpenSSL headers (no libssl-dev), only the runtime library.
 *
 * One request per line on stdin, one answer per line on stdout:
 *   C <hex>   cipher string, as `openssl ciphers -ciphersuites '' STRING`
 *   S <hex>   TLS 1.3 list, as `openssl ciphers -ciphersuites LIST`
 *   G <hex>   group list, as SSL_CTX_set1_groups_list (s_server -groups)
 *   V         library version
 * Answers: `OK name:name:...` or `ERR reason`.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const void *(*method_fn)(void);
typedef void *(*ctx_new_fn)(const void *);
typedef void (*ctx_free_fn)(void *);
typedef int (*set_str_fn)(void *, const char *);
typedef void *(*get_ciphers_fn)(const void *);
typedef int (*sk_num_fn)(const void *);
typedef void *(*sk_value_fn)(const void *, int);
typedef const char *(*cipher_str_fn)(const void *);
typedef long (*ctx_ctrl_fn)(void *, int, long, void *);
typedef unsigned long (*err_get_fn)(void);
typedef const char *(*err_reason_fn)(unsigned long);
typedef void (*err_clear_fn)(void);
typedef const char *(*version_fn)(int);

static method_fn TLS_server_method_;
static ctx_new_fn SSL_CTX_new_;
static ctx_free_fn SSL_CTX_free_;
static set_str_fn SSL_CTX_set_cipher_list_;
static set_str_fn SSL_CTX_set_ciphersuites_;
static get_ciphers_fn SSL_CTX_get_ciphers_;
static sk_num_fn OPENSSL_sk_num_;
static sk_value_fn OPENSSL_sk_value_;
static cipher_str_fn SSL_CIPHER_get_name_;
static cipher_str_fn SSL_CIPHER_get_version_;
static ctx_ctrl_fn SSL_CTX_ctrl_;
static err_get_fn ERR_get_error_;
static err_reason_fn ERR_reason_error_string_;
static err_clear_fn ERR_clear_error_;
static version_fn OpenSSL_version_;

#define SSL_CTRL_SET_GROUPS_LIST 92

static void *sym(void *h, const char *name)
{
    void *p = dlsym(h, name);
    if (p == NULL) {
        fprintf(stderr, "helper: missing symbol %s\n", name);
        exit(3);
    }
    return p;
}

static int unhex(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    while (in[0] && in[0] != '\n' && in[1]) {
        unsigned v;
        if (sscanf(in, "%2x", &v) != 1 || n + 1 >= cap)
            return -1;
        out[n++] = (char)v;
        in += 2;
    }
    out[n] = '\0';
    return 0;
}

static void print_err(void)
{
    unsigned long e = ERR_get_error_();
    const char *r = e ? ERR_reason_error_string_(e) : NULL;
    printf("ERR %s\n", r ? r : "unknown");
    ERR_clear_error_();
}

/* only_tls13: 1 = print TLS 1.3 entries, 0 = print the others */
static void print_list(void *ctx, int only_tls13)
{
    void *sk = SSL_CTX_get_ciphers_(ctx);
    int i, n = sk ? OPENSSL_sk_num_(sk) : 0, first = 1;
    printf("OK ");
    for (i = 0; i < n; i++) {
        const void *c = OPENSSL_sk_value_(sk, i);
        int is13 = strcmp(SSL_CIPHER_get_version_(c), "TLSv1.3") == 0;
        if (is13 != only_tls13)
            continue;
        printf("%s%s", first ? "" : ":", SSL_CIPHER_get_name_(c));
        first = 0;
    }
    printf("\n");
}

int main(void)
{
    static char line[1 << 20], arg[1 << 19];
    void *h = dlopen("libssl.so.3", RTLD_NOW | RTLD_GLOBAL);
    if (h == NULL)
        h = dlopen("libssl.so", RTLD_NOW | RTLD_GLOBAL);
    if (h == NULL) {
        fprintf(stderr, "helper: cannot load libssl: %s\n", dlerror());
        return 3;
    }
    TLS_server_method_ = (method_fn)sym(h, "TLS_server_method");
    SSL_CTX_new_ = (ctx_new_fn)sym(h, "SSL_CTX_new");
    SSL_CTX_free_ = (ctx_free_fn)sym(h, "SSL_CTX_free");
    SSL_CTX_set_cipher_list_ = (set_str_fn)sym(h, "SSL_CTX_set_cipher_list");
    SSL_CTX_set_ciphersuites_ = (set_str_fn)sym(h, "SSL_CTX_set_ciphersuites");
    SSL_CTX_get_ciphers_ = (get_ciphers_fn)sym(h, "SSL_CTX_get_ciphers");
    OPENSSL_sk_num_ = (sk_num_fn)sym(h, "OPENSSL_sk_num");
    OPENSSL_sk_value_ = (sk_value_fn)sym(h, "OPENSSL_sk_value");
    SSL_CIPHER_get_name_ = (cipher_str_fn)sym(h, "SSL_CIPHER_get_name");
    SSL_CIPHER_get_version_ = (cipher_str_fn)sym(h, "SSL_CIPHER_get_version");
    SSL_CTX_ctrl_ = (ctx_ctrl_fn)sym(h, "SSL_CTX_ctrl");
    ERR_get_error_ = (err_get_fn)sym(h, "ERR_get_error");
    ERR_reason_error_string_ = (err_reason_fn)sym(h, "ERR_reason_error_string");
    ERR_clear_error_ = (err_clear_fn)sym(h, "ERR_clear_error");
    OpenSSL_version_ = (version_fn)sym(h, "OpenSSL_version");

    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        void *ctx;
        if (line[0] == 'V') {
            printf("OK %s\n", OpenSSL_version_(0));
            fflush(stdout);
            continue;
        }
        if (strlen(line) < 2 || unhex(line + 2, arg, sizeof(arg)) != 0) {
            printf("ERR helper: bad request\n");
            fflush(stdout);
            continue;
        }
        /* a fresh context per request: nothing carries over */
        ctx = SSL_CTX_new_(TLS_server_method_());
        if (ctx == NULL) {
            print_err();
        } else if (line[0] == 'C') {
            if (!SSL_CTX_set_ciphersuites_(ctx, "")
                || !SSL_CTX_set_cipher_list_(ctx, arg))
                print_err();
            else
                print_list(ctx, 0);
        } else if (line[0] == 'S') {
            if (!SSL_CTX_set_ciphersuites_(ctx, arg))
                print_err();
            else
                print_list(ctx, 1);
        } else if (line[0] == 'G') {
            if (SSL_CTX_ctrl_(ctx, SSL_CTRL_SET_GROUPS_LIST, 0, arg) != 1)
                print_err();
            else
                printf("OK\n");
        } else {
            printf("ERR helper: bad request\n");
        }
        if (ctx != NULL)
            SSL_CTX_free_(ctx);
        ERR_clear_error_();
        fflush(stdout);
    }
    return 0;
}
