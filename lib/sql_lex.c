/*
 * The SQL lexer: the query text into tokens with line and column, so
 * that every later error can name where it is.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sql_impl.h"
#include "xmalloc.h"

struct mlk_error *
sql_error_at(int line, int col, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct mlk_error *err;
	va_list ap;

	strbuf_addf(&sb, "line %d, column %d: ", line, col);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	err = mlk_error_new(MLK_ERR_USAGE, "%s", sb.buf);
	strbuf_release(&sb);
	return err;
}

static struct tok *
push(struct toklist *tl, enum tok_kind kind, int line, int col, size_t off)
{
	struct tok *t;

	ALLOC_GROW(tl->v, tl->n + 1, tl->alloc);
	t = &tl->v[tl->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->line = line;
	t->col = col;
	t->off = off;
	return t;
}

void
sql_toklist_release(struct toklist *tl)
{
	for (size_t i = 0; i < tl->n; i++)
		free(tl->v[i].text);
	free(tl->v);
	memset(tl, 0, sizeof(*tl));
}

static const char *const ops2[] = { "<>", "!=", "<=", ">=", "||", "//",
	"::", NULL };

struct mlk_error *
sql_lex(const char *sql, struct toklist *out)
{
	size_t i = 0, n = strlen(sql);
	int line = 1;
	size_t bol = 0; /* offset where the line begins */

	memset(out, 0, sizeof(*out));
	while (i < n) {
		unsigned char c = sql[i];
		int col = (int)(i - bol) + 1;
		struct tok *t;

		if (c == '\n') {
			line++;
			bol = ++i;
			continue;
		}
		if (isspace(c)) {
			i++;
			continue;
		}
		if (c == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && sql[i + 1] == '*') {
			size_t j = i + 2;
			while (
			    j + 1 < n && !(sql[j] == '*' && sql[j + 1] == '/'))
				j++;
			if (j + 1 >= n)
				return sql_error_at(line, col,
				    "unterminated comment");
			for (size_t k = i; k < j; k++)
				if (sql[k] == '\n') {
					line++;
					bol = k + 1;
				}
			i = j + 2;
			continue;
		}
		if (isalpha(c) || c == '_' || c >= 0x80) {
			size_t j = i;
			while (j < n &&
			    (isalnum((unsigned char)sql[j]) || sql[j] == '_' ||
			        (unsigned char)sql[j] >= 0x80))
				j++;
			t = push(out, T_IDENT, line, col, i);
			t->text = xstrndup(sql + i, j - i);
			t->len = j - i;
			i = t->end = j;
			continue;
		}
		if (isdigit(c) ||
		    (c == '.' && isdigit((unsigned char)sql[i + 1]))) {
			size_t j = i;
			int isf = 0;
			while (j < n && isdigit((unsigned char)sql[j]))
				j++;
			if (j < n && sql[j] == '.') {
				isf = 1;
				j++;
				while (j < n && isdigit((unsigned char)sql[j]))
					j++;
			}
			if (j < n && (sql[j] == 'e' || sql[j] == 'E') &&
			    (isdigit((unsigned char)sql[j + 1]) ||
			        ((sql[j + 1] == '+' || sql[j + 1] == '-') &&
			            isdigit((unsigned char)sql[j + 2])))) {
				isf = 1;
				j += 2;
				while (j < n && isdigit((unsigned char)sql[j]))
					j++;
			}
			if (j < n &&
			    (isalpha((unsigned char)sql[j]) || sql[j] == '_'))
				return sql_error_at(line, col,
				    "malformed number '%.*s'", (int)(j - i + 1),
				    sql + i);
			t = push(out, isf ? T_FLOAT : T_INT, line, col, i);
			t->text = xstrndup(sql + i, j - i);
			t->len = j - i;
			i = t->end = j;
			continue;
		}
		if (c == '\'' || c == '"') {
			struct strbuf sb = STRBUF_INIT;
			size_t j = i + 1;
			int sline = line;
			for (;;) {
				if (j >= n) {
					strbuf_release(&sb);
					return sql_error_at(sline, col,
					    c == '\'' ? "unterminated string" :
					                "unterminated quoted "
					                "identifier");
				}
				if ((unsigned char)sql[j] == c) {
					if ((unsigned char)sql[j + 1] == c) {
						strbuf_addch(&sb, c);
						j += 2;
						continue;
					}
					break;
				}
				if (sql[j] == '\n') {
					line++;
					bol = j + 1;
				}
				strbuf_addch(&sb, sql[j++]);
			}
			if (c == '"' && sb.len == 0) {
				strbuf_release(&sb);
				return sql_error_at(sline, col,
				    "empty quoted identifier");
			}
			t = push(out, c == '\'' ? T_STRING : T_QIDENT, sline,
			    col, i);
			t->text = strbuf_detach(&sb, &t->len);
			i = t->end = j + 1;
			continue;
		}
		t = NULL;
		for (size_t k = 0; ops2[k]; k++)
			if (strncmp(sql + i, ops2[k], 2) == 0) {
				t = push(out, T_OP, line, col, i);
				t->text = xstrndup(sql + i, 2);
				t->len = 2;
				i = t->end = i + 2;
				break;
			}
		if (t)
			continue;
		if (strchr("(),.*+-/%=<>;", c)) {
			t = push(out, T_OP, line, col, i);
			t->text = xstrndup(sql + i, 1);
			t->len = 1;
			i = t->end = i + 1;
			continue;
		}
		return sql_error_at(line, col, "unexpected character '%c'", c);
	}
	{
		struct tok *t = push(out, T_EOF, line, (int)(n - bol) + 1, n);
		t->text = xstrdup("");
		t->end = n;
	}
	return NULL;
}
