//! OpenSSL as the servers use it: cipher strings, TLS 1.3 suites, groups.
