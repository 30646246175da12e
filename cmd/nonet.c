/*
 * libgit2's network start-up, skipped.
 *
 * git_libgit2_init() readies libgit2's HTTPS and SSH transports. As
 * Debian builds it, that means parsing the system's whole certificate
 * bundle with mbedTLS and starting libssh2, which starts OpenSSL: about
 * 6 ms of every mlk command's 20 (perf stat -r 40 mlk status), for
 * transports mlk never uses, since its store has no remotes.
 *
 * The functions below are found by the dynamic linker before those of
 * libmbedx509 and libssh2, because a definition in the executable comes
 * first in the lookup order (the same rule as LD_PRELOAD). The bundle
 * then fails to load, as it would on a machine without one, and libgit2
 * carries on without default certificates; libssh2_init() does nothing,
 * and libssh2_exit() does nothing in turn for a library never started.
 * Only the binary has this file: the unit tests and tools link the real
 * functions. Should mlk ever fetch over HTTPS or SSH through libgit2,
 * this file goes.
 */

int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_path(void *chain, const char *path);
int libssh2_init(int flags);

/* mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR: "the file could not be read". */
#define X509_FILE_IO_ERROR (-0x2900)

int
mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return X509_FILE_IO_ERROR;
}

int
mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return X509_FILE_IO_ERROR;
}

int
libssh2_init(int flags)
{
	(void)flags;
	return 0;
}
