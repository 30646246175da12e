/*
 * The general path of the JSON lines reader, through jansson: any line,
 * its nested values written back as compact JSON text.
 */
#include <jansson.h>
#include <string.h>

#include "jsonl_impl.h"
#include "value.h"

static void
add_json_string(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *hit =
		    c && c != '/' ? memchr(jsonl_esc_to, c, 8) : NULL;

		if (hit)
			strbuf_addf(sb, "\\%c",
			    jsonl_esc_from[hit - jsonl_esc_to]);
		else if (c < 0x20)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

/* Compact JSON, keys in their order; depth is bounded by jansson's. */
static void
add_json(struct strbuf *sb, json_t *v)
{
	char buf[MLK_VALUE_FMT_MAX];
	const char *sep = "";

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		strbuf_addch(sb, '{');
		for (void *it = json_object_iter(v); it;
		     it = json_object_iter_next(v, it)) {
			strbuf_addstr(sb, sep);
			add_json_string(sb, json_object_iter_key(it),
			    json_object_iter_key_len(it));
			strbuf_addch(sb, ':');
			add_json(sb, json_object_iter_value(it));
			sep = ",";
		}
		strbuf_addch(sb, '}');
		break;
	case JSON_ARRAY:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			strbuf_addstr(sb, sep);
			add_json(sb, json_array_get(v, i));
			sep = ",";
		}
		strbuf_addch(sb, ']');
		break;
	case JSON_STRING:
		add_json_string(sb, json_string_value(v),
		    json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_add(sb, buf,
		    mlk_value_format_int64(buf, json_integer_value(v)));
		break;
	case JSON_REAL:
		jsonl_add_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		break;
	case JSON_NULL:
		strbuf_addstr(sb, "null");
		break;
	}
}

int
jsonl_slow_line(struct mlk_jsonl_parser *p, const char *s, size_t n)
{
	static const enum mlk_json_kind kinds[] = {
		[JSON_OBJECT] = MLK_JSON_OBJECT,
		[JSON_ARRAY] = MLK_JSON_ARRAY,
		[JSON_STRING] = MLK_JSON_STRING,
		[JSON_INTEGER] = MLK_JSON_INTEGER,
		[JSON_REAL] = MLK_JSON_REAL,
		[JSON_TRUE] = MLK_JSON_TRUE,
		[JSON_FALSE] = MLK_JSON_FALSE,
		[JSON_NULL] = MLK_JSON_NULL,
	};
	struct strbuf *scr = &p->scratch;
	json_error_t je;
	json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);

	if (root == NULL) {
		strbuf_addf(&p->reason, "column %d: %s", je.column, je.text);
		return -1;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		strbuf_addstr(&p->reason, "expected a JSON object");
		return -1;
	}
	for (void *it = json_object_iter(root); it;
	     it = json_object_iter_next(root, it)) {
		struct mlk_jsonl_pair *pr = jsonl_new_pair(p);
		json_t *v = json_object_iter_value(it);

		pr->koff = scr->len;
		pr->klen = json_object_iter_key_len(it);
		strbuf_add(scr, json_object_iter_key(it), pr->klen);
		pr->kind = kinds[json_typeof(v)];
		pr->voff = scr->len;
		if (json_is_string(v))
			strbuf_add(scr, json_string_value(v),
			    json_string_length(v));
		else if (!json_is_null(v))
			add_json(scr, v);
		pr->vlen = scr->len - pr->voff;
	}
	json_decref(root);
	return 0;
}
