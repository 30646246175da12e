/*
 * OpenBLAS, LAPACKE, libmicrohttpd and libarchive, loaded when first
 * used.
 *
 * Linked the usual way, these cost every mlk command tens of
 * milliseconds of start-up (their constructors and the libraries they
 * pull in: libgfortran, GnuTLS; for libarchive, libxml2, ICU and
 * libstdc++), which `mlk status` would pay without using them. The mlk binary is therefore linked without them, and the
 * functions lib/ and cmd/ call are defined here: each looks its real
 * function up with dlopen(3) and dlsym(3) on its first call and jumps
 * to it. The unit tests link the libraries directly, so this file is
 * only part of the binary. The library names are Debian 12's sonames.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <archive.h>
#include <archive_entry.h>
#include <cblas.h>
#include <lapacke.h>
#include <microhttpd.h>

enum lazy_lib { LIB_BLAS, LIB_LAPACKE, LIB_MHD, LIB_ARCHIVE, LIB_COUNT };

static const char *const sonames[LIB_COUNT] = {
	"libopenblas.so.0",
	"liblapacke.so.3",
	"libmicrohttpd.so.12",
	"libarchive.so.13",
};
static void *handles[LIB_COUNT];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * The address of a function of lib, loading lib on first use. A missing
 * library is a broken installation: say which and exit 1.
 */
static void *
lazy_sym(enum lazy_lib lib, const char *name)
{
	void *h, *fn;

	pthread_mutex_lock(&lock);
	if (!handles[lib])
		handles[lib] = dlopen(sonames[lib], RTLD_NOW | RTLD_GLOBAL);
	h = handles[lib];
	pthread_mutex_unlock(&lock);
	if (!h) {
		fprintf(stderr, "mlk: cannot load %s: %s\n", sonames[lib],
		    dlerror());
		exit(1);
	}
	if (!(fn = dlsym(h, name))) {
		fprintf(stderr, "mlk: %s has no %s\n", sonames[lib], name);
		exit(1);
	}
	return fn;
}

/* The real function, found once; later calls read a cached pointer. */
#define LAZY(lib, name) \
	static __typeof__(&name) real_; \
	__typeof__(&name) fn_ = __atomic_load_n(&real_, __ATOMIC_ACQUIRE); \
	if (!fn_) { \
		fn_ = (__typeof__(&name))lazy_sym(lib, #name); \
		__atomic_store_n(&real_, fn_, __ATOMIC_RELEASE); \
	}

/* --- libarchive ----------------------------------------------------- */

/* A function of libarchive taking the archive handle alone. */
#define LAZY_ARCHIVE(type, name) \
	type name(struct archive *a) \
	{ \
		LAZY(LIB_ARCHIVE, name); \
		return fn_(a); \
	}

/* A function of libarchive taking an entry alone. */
#define LAZY_ENTRY(type, name) \
	type name(struct archive_entry *e) \
	{ \
		LAZY(LIB_ARCHIVE, name); \
		return fn_(e); \
	}

/* A version string of a library libarchive uses. */
#define LAZY_VERSION(name) \
	const char *name(void) \
	{ \
		LAZY(LIB_ARCHIVE, name); \
		return fn_(); \
	}

LAZY_ARCHIVE(int, archive_errno)
LAZY_ARCHIVE(const char *, archive_error_string)
LAZY_ARCHIVE(int, archive_filter_count)
LAZY_ARCHIVE(int, archive_format)
LAZY_ARCHIVE(int, archive_read_free)
LAZY_ARCHIVE(int, archive_read_support_filter_bzip2)
LAZY_ARCHIVE(int, archive_read_support_filter_compress)
LAZY_ARCHIVE(int, archive_read_support_filter_gzip)
LAZY_ARCHIVE(int, archive_read_support_filter_lz4)
LAZY_ARCHIVE(int, archive_read_support_filter_lzip)
LAZY_ARCHIVE(int, archive_read_support_filter_lzma)
LAZY_ARCHIVE(int, archive_read_support_filter_xz)
LAZY_ARCHIVE(int, archive_read_support_filter_zstd)
LAZY_ARCHIVE(int, archive_read_support_format_7zip)
LAZY_ARCHIVE(int, archive_read_support_format_cpio)
LAZY_ARCHIVE(int, archive_read_support_format_empty)
LAZY_ARCHIVE(int, archive_read_support_format_rar)
LAZY_ARCHIVE(int, archive_read_support_format_rar5)
LAZY_ARCHIVE(int, archive_read_support_format_raw)
LAZY_ARCHIVE(int, archive_read_support_format_tar)
LAZY_ARCHIVE(int, archive_read_support_format_zip)
LAZY_ENTRY(__LA_MODE_T, archive_entry_filetype)
LAZY_ENTRY(const char *, archive_entry_hardlink)
LAZY_ENTRY(const char *, archive_entry_pathname)
LAZY_ENTRY(la_int64_t, archive_entry_size)
LAZY_ENTRY(int, archive_entry_size_is_set)
LAZY_VERSION(archive_bzlib_version)
LAZY_VERSION(archive_liblz4_version)
LAZY_VERSION(archive_liblzma_version)
LAZY_VERSION(archive_libzstd_version)
LAZY_VERSION(archive_zlib_version)

struct archive *
archive_read_new(void)
{
	LAZY(LIB_ARCHIVE, archive_read_new);
	return fn_();
}

int
archive_filter_code(struct archive *a, int n)
{
	LAZY(LIB_ARCHIVE, archive_filter_code);
	return fn_(a, n);
}

int
archive_read_open_memory(struct archive *a, const void *buf, size_t size)
{
	LAZY(LIB_ARCHIVE, archive_read_open_memory);
	return fn_(a, buf, size);
}

int
archive_read_next_header(struct archive *a, struct archive_entry **e)
{
	LAZY(LIB_ARCHIVE, archive_read_next_header);
	return fn_(a, e);
}

la_ssize_t
archive_read_data(struct archive *a, void *buf, size_t size)
{
	LAZY(LIB_ARCHIVE, archive_read_data);
	return fn_(a, buf, size);
}

/* --- OpenBLAS ------------------------------------------------------- */

void
cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE ta,
    const enum CBLAS_TRANSPOSE tb, const blasint m, const blasint n,
    const blasint k, const double alpha, const double *a, const blasint lda,
    const double *b, const blasint ldb, const double beta, double *c,
    const blasint ldc)
{
	LAZY(LIB_BLAS, cblas_dgemm);
	fn_(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void
cblas_dgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE t,
    const blasint m, const blasint n, const double alpha, const double *a,
    const blasint lda, const double *x, const blasint incx, const double beta,
    double *y, const blasint incy)
{
	LAZY(LIB_BLAS, cblas_dgemv);
	fn_(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

/* --- LAPACKE -------------------------------------------------------- */

lapack_int
LAPACKE_dgelsd(int layout, lapack_int m, lapack_int n, lapack_int nrhs,
    double *a, lapack_int lda, double *b, lapack_int ldb, double *s,
    double rcond, lapack_int *rank)
{
	LAZY(LIB_LAPACKE, LAPACKE_dgelsd);
	return fn_(layout, m, n, nrhs, a, lda, b, ldb, s, rcond, rank);
}

lapack_int
LAPACKE_dgesdd(int layout, char jobz, lapack_int m, lapack_int n, double *a,
    lapack_int lda, double *s, double *u, lapack_int ldu, double *vt,
    lapack_int ldvt)
{
	LAZY(LIB_LAPACKE, LAPACKE_dgesdd);
	return fn_(layout, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
}

lapack_int
LAPACKE_dposv(int layout, char uplo, lapack_int n, lapack_int nrhs, double *a,
    lapack_int lda, double *b, lapack_int ldb)
{
	LAZY(LIB_LAPACKE, LAPACKE_dposv);
	return fn_(layout, uplo, n, nrhs, a, lda, b, ldb);
}

/* --- libmicrohttpd -------------------------------------------------- */

struct MHD_Daemon *
MHD_start_daemon(unsigned int flags, uint16_t port,
    MHD_AcceptPolicyCallback apc, void *apc_cls, MHD_AccessHandlerCallback dh,
    void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	LAZY(LIB_MHD, MHD_start_daemon_va);
	va_start(ap, dh_cls);
	d = fn_(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void
MHD_stop_daemon(struct MHD_Daemon *d)
{
	LAZY(LIB_MHD, MHD_stop_daemon);
	fn_(d);
}

MHD_socket
MHD_quiesce_daemon(struct MHD_Daemon *d)
{
	LAZY(LIB_MHD, MHD_quiesce_daemon);
	return fn_(d);
}

const union MHD_DaemonInfo *
MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType type, ...)
{
	LAZY(LIB_MHD, MHD_get_daemon_info);
	/* every info type mlk asks for takes no further argument */
	return fn_(d, type);
}

const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *c,
    enum MHD_ConnectionInfoType type, ...)
{
	LAZY(LIB_MHD, MHD_get_connection_info);
	return fn_(c, type);
}

enum MHD_Result
MHD_is_feature_supported(enum MHD_FEATURE feature)
{
	LAZY(LIB_MHD, MHD_is_feature_supported);
	return fn_(feature);
}

const char *
MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
    const char *key)
{
	LAZY(LIB_MHD, MHD_lookup_connection_value);
	return fn_(c, kind, key);
}

enum MHD_Result
MHD_add_response_header(struct MHD_Response *r, const char *header,
    const char *content)
{
	LAZY(LIB_MHD, MHD_add_response_header);
	return fn_(r, header, content);
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *c, unsigned int status,
    struct MHD_Response *r)
{
	LAZY(LIB_MHD, MHD_queue_response);
	return fn_(c, status, r);
}

void
MHD_destroy_response(struct MHD_Response *r)
{
	LAZY(LIB_MHD, MHD_destroy_response);
	fn_(r);
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer,
    enum MHD_ResponseMemoryMode mode)
{
	LAZY(LIB_MHD, MHD_create_response_from_buffer);
	return fn_(size, buffer, mode);
}

enum MHD_Result
MHD_add_connection(struct MHD_Daemon *d, MHD_socket s,
    const struct sockaddr *addr, socklen_t addrlen)
{
	LAZY(LIB_MHD, MHD_add_connection);
	return fn_(d, s, addr, addrlen);
}

enum MHD_Result
MHD_run(struct MHD_Daemon *d)
{
	LAZY(LIB_MHD, MHD_run);
	return fn_(d);
}

enum MHD_Result
MHD_get_timeout(struct MHD_Daemon *d, MHD_UNSIGNED_LONG_LONG *timeout)
{
	LAZY(LIB_MHD, MHD_get_timeout);
	return fn_(d, timeout);
}
