/* Naming the sources of an ingest: operands into paths (source.h). */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"
#include "xmalloc.h"

struct mlk_source_id {
	dev_t dev;
	ino_t ino;
	int is_stdin;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_add(struct mlk_source_list *l, const char *path, const struct stat *st)
{
	struct mlk_source_id id = { 0, 0, st == NULL };

	if (st) {
		id.dev = st->st_dev;
		id.ino = st->st_ino;
	}
	for (size_t i = 0; i < l->nr; i++)
		if (l->ids[i].is_stdin == id.is_stdin &&
		    (id.is_stdin ||
		        (l->ids[i].dev == id.dev && l->ids[i].ino == id.ino)))
			return;
	ALLOC_GROW(l->paths, l->nr + 1, l->alloc);
	ALLOC_GROW(l->ids, l->nr + 1, l->ids_alloc);
	/* A file called "-" found in a folder or by a glob is not stdin. */
	l->paths[l->nr] =
	    strcmp(path, "-") == 0 && st ? xstrdup("./-") : xstrdup(path);
	l->ids[l->nr++] = id;
}

/* Collects the regular files under dir into *files. */
static struct mlk_error *
walk(const char *dir, char ***files, size_t *nr, size_t *alloc)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct mlk_error *err = NULL;
	size_t dlen = strlen(dir);

	if (d == NULL)
		return mlk_error_errno("cannot open directory '%s'", dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (;;) {
		struct stat st;
		char *path;

		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno)
				err = mlk_error_errno("cannot read directory "
				                      "'%s'",
				    dir);
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		path = xstrfmt("%.*s%s%s", (int)dlen, dir,
		    dir[dlen - 1] == '/' ? "" : "/", de->d_name);
		if (lstat(path, &st) == -1) {
			err = mlk_error_errno("cannot open '%s'", path);
			free(path);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			err = walk(path, files, nr, alloc);
			free(path);
			if (err)
				break;
			continue;
		}
		/* A link to a regular file counts; a link to a folder not. */
		if (S_ISLNK(st.st_mode) && stat(path, &st) == -1) {
			free(path);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		ALLOC_GROW(*files, *nr + 1, *alloc);
		(*files)[(*nr)++] = path;
	}
	closedir(d);
	return err;
}

/* Adds one file or folder that exists (or ought to). */
static struct mlk_error *
add_path(struct mlk_source_list *l, const char *path)
{
	struct stat st;
	struct mlk_error *err;
	char **files = NULL;
	size_t nr = 0, alloc = 0;

	if (stat(path, &st) == -1)
		return mlk_error_errno("cannot open '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		list_add(l, path, &st);
		return NULL;
	}
	err = walk(path, &files, &nr, &alloc);
	if (files)
		qsort(files, nr, sizeof(*files), cmp_str);
	for (size_t i = 0; i < nr; i++) {
		/* A file removed since the walk is left to open to report. */
		if (err == NULL && stat(files[i], &st) == 0)
			list_add(l, files[i], &st);
		free(files[i]);
	}
	free(files);
	return err;
}

struct mlk_error *
mlk_source_expand(struct mlk_source_list *l, const char *const *operands,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *op = operands[i];
		struct mlk_error *err;
		struct stat st;
		glob_t g;
		int rc;

		if (strcmp(op, "-") == 0) {
			list_add(l, "-", NULL);
			continue;
		}
		if (strpbrk(op, "*?[") == NULL || lstat(op, &st) == 0) {
			if ((err = add_path(l, op)))
				return err;
			continue;
		}
		/* Sorted by bytes, not by the locale's collation. */
		rc = glob(op, GLOB_NOSORT, NULL, &g);
		if (rc == GLOB_NOMATCH) {
			err = mlk_error_new(MLK_ERR_ERRNO,
			    "no files match '%s'", op);
			err->sys_errno = ENOENT;
			return err;
		}
		if (rc != 0) {
			if (rc == GLOB_NOSPACE)
				abort();
			return mlk_error_errno("cannot expand '%s'", op);
		}
		qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), cmp_str);
		err = NULL;
		for (size_t k = 0; k < g.gl_pathc && err == NULL; k++)
			err = add_path(l, g.gl_pathv[k]);
		globfree(&g);
		if (err)
			return err;
	}
	return NULL;
}

void
mlk_source_list_release(struct mlk_source_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->ids);
	l->paths = NULL;
	l->ids = NULL;
	l->nr = l->alloc = l->ids_alloc = 0;
}
