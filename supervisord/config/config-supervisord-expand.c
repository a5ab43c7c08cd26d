/*
 * supervisord's expansions: %(name)s as Python's % operator does it,
 * shell-like words (shlex), and environment= lists.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-supervisord.h"

/* The value of X for %(ENV_X)s, or NULL. */
static const char *
sv_env_get(const struct sv_expand *x, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = x->n2; x->env2 != NULL && i-- > 0;)
		if (strncmp(x->env2[i], name, nl) == 0 && x->env2[i][nl] == '=')
			return x->env2[i] + nl + 1;
	for (size_t i = x->n1; x->env1 != NULL && i-- > 0;)
		if (strncmp(x->env1[i], name, nl) == 0 && x->env1[i][nl] == '=')
			return x->env1[i] + nl + 1;
	return getenv(name);
}

/*
 * Expand Python %-format references: %(name)[flags][width][.prec](s|d)
 * and %%.  Returns NULL with why set on an unknown name or bad format.
 */
char *
sv_expand(const struct sv_expand *x, const char *in, char *why)
{
	struct sbuf out = {0};

	for (const char *p = in; *p != '\0'; p++) {
		char name[128], spec[32], fmt[40], num[64];
		const char *close, *q;
		const char *sval = NULL;
		bool is_num = false;
		long nval = 0;
		size_t sl = 0;

		if (*p != '%') {
			sbuf_add(&out, p, 1);
			continue;
		}
		if (p[1] == '%') {
			sbuf_add(&out, "%", 1);
			p++;
			continue;
		}
		if (p[1] != '(' || (close = strchr(p + 2, ')')) == NULL ||
		    (size_t)(close - p - 2) >= sizeof(name)) {
			snprintf(why, PARSE_WHY,
				 "a %% that starts no %%(name)s expansion at "
				 "column %zu; write %%%% for a %%",
				 (size_t)(p - in) + 1);
			sbuf_free(&out);
			return NULL;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(close - p - 2),
			 p + 2);
		for (q = close + 1;
		     *q != '\0' && strchr("#0- +.0123456789", *q); q++)
			if (sl < sizeof(spec) - 1)
				spec[sl++] = *q;
		spec[sl] = '\0';
		/* A width or precision is a few digits, never a gigabyte. */
		for (const char *d = spec; *d != '\0'; d++) {
			if (strtol(d, NULL, 10) > 256) {
				snprintf(
				    why, PARSE_WHY,
				    "%%(%.60s): a width or precision above 256 "
				    "at column %zu",
				    name, (size_t)(close - in) + 2);
				sbuf_free(&out);
				return NULL;
			}
			while (*d >= '0' && *d <= '9' && d[1] >= '0' &&
			       d[1] <= '9')
				d++;
		}
		if (*q != 's' && *q != 'd' && *q != 'i') {
			snprintf(
			    why, PARSE_WHY,
			    "%%(%.60s) needs a conversion s or d at column %zu",
			    name, (size_t)(q - in) + 1);
			sbuf_free(&out);
			return NULL;
		}
		if (strcmp(name, "program_name") == 0 && x->program != NULL)
			sval = x->program;
		else if (strcmp(name, "group_name") == 0 && x->group != NULL)
			sval = x->group;
		else if (strcmp(name, "process_num") == 0 && x->has_num)
			is_num = true, nval = x->num;
		else if (strcmp(name, "numprocs") == 0 && x->has_num)
			is_num = true, nval = x->numprocs;
		else if (strcmp(name, "host_node_name") == 0)
			sval = x->host;
		else if (strcmp(name, "here") == 0)
			sval = x->here;
		else if (strncmp(name, "ENV_", 4) == 0) {
			sval = sv_env_get(x, name + 4);
			if (sval == NULL) {
				snprintf(why, PARSE_WHY,
					 "%%(%.60s)s: %.60s is set neither in "
					 "stewardd's environment nor in an "
					 "environment= of this file",
					 name, name + 4);
				sbuf_free(&out);
				return NULL;
			}
		} else {
			snprintf(
			    why, PARSE_WHY,
			    "%%(%.40s) cannot be expanded here; expected %s",
			    name,
			    x->program == NULL
				? "here, host_node_name or ENV_NAME"
			    : x->has_num
				? "program_name, group_name, process_num, "
				  "numprocs, host_node_name, here or ENV_NAME"
				: "program_name, group_name, host_node_name, "
				  "here or ENV_NAME (process_num only in the "
				  "per-process keys, as in supervisord)");
			sbuf_free(&out);
			return NULL;
		}
		if (*q == 's') {
			if (is_num) {
				snprintf(num, sizeof(num), "%ld", nval);
				sval = num;
			}
			snprintf(fmt, sizeof(fmt), "%%%ss", spec);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			sbuf_addf(&out, fmt, sval);
		} else {
			if (!is_num) {
				char *end;

				nval = strtol(sval, &end, 10);
				if (*sval == '\0' || *end != '\0') {
					snprintf(
					    why, PARSE_WHY,
					    "%%(%.60s)d: \"%.60s\" is not a "
					    "number",
					    name, sval);
					sbuf_free(&out);
					return NULL;
				}
			}
			snprintf(fmt, sizeof(fmt), "%%%sld", spec);
			sbuf_addf(&out, fmt, nval);
#pragma GCC diagnostic pop
		}
		p = q;
	}
	if (out.s == NULL)
		return xstrdup("");
	return out.s;
}

/*
 * A character of a word for supervisord's environment lexer: Python's
 * shlex.wordchars (ASCII letters, digits, '_' and the Latin-1 letters
 * U+00C0-U+00FF but for U+00D7 and U+00F7) plus "/.+-():", as
 * dict_of_key_value_pairs sets them.  *len is the character's length in
 * bytes (a UTF-8 sequence is one character).
 */
static bool
sv_wordchar(const char *p, size_t *len)
{
	unsigned char c = (unsigned char)p[0];

	*len = 1;
	if (c < 0x80)
		return isalnum(c) || c == '_' || strchr("/.+-():", c) != NULL;
	if (c >= 0xc2 && c <= 0xc3 && ((unsigned char)p[1] & 0xc0) == 0x80) {
		unsigned cp =
		    ((c & 0x1fu) << 6) | ((unsigned char)p[1] & 0x3fu);

		*len = 2;
		return cp >= 0xc0 && cp != 0xd7 && cp != 0xf7;
	}
	/* Any other character, as a whole UTF-8 sequence. */
	while (((unsigned char)p[*len] & 0xc0) == 0x80)
		(*len)++;
	return false;
}

/*
 * Split as Python's shlex does in its default (non-POSIX) mode, the
 * way supervisord's dict_of_key_value_pairs splits an environment: a
 * word is a run of word characters; a quoted string is a token with its
 * quotes, ended by its closing quote; a quote inside a word is part of
 * it; '#' comments to the end of the line; any other character is a
 * token of its own; blanks separate.  Returns -1 with why on an
 * unterminated quote.
 */
static int
sv_shlex(const char *v, char ***toks, size_t *n, char *why)
{
	const char *p = v;

	*toks = NULL;
	*n = 0;
	while (*p != '\0') {
		const char *start = p;
		size_t len;

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		if (*p == '#') {
			while (*p != '\0' && *p != '\n')
				p++;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			const char *close = strchr(p + 1, *p);

			if (close == NULL) {
				snprintf(why, PARSE_WHY,
					 "no closing quotation (%c)", *p);
				goto fail;
			}
			p = close + 1;
		} else if (sv_wordchar(p, &len)) {
			while (*p != '\0') {
				if (*p == '"' || *p == '\'') {
					p++;
					continue;
				}
				if (!sv_wordchar(p, &len))
					break;
				p += len;
			}
		} else {
			p += len;
		}
		*toks = xrealloc(*toks, (*n + 1) * sizeof(char *));
		(*toks)[(*n)++] = xasprintf("%.*s", (int)(p - start), start);
	}
	return 0;

fail:
	for (size_t i = 0; i < *n; i++)
		free((*toks)[i]);
	free(*toks);
	*toks = NULL;
	*n = 0;
	return -1;
}

/*
 * supervisord's environment syntax, read as its dict_of_key_value_pairs
 * reads it: the shlex tokens taken four at a time as KEY = VALUE and a
 * separator (a comma, as written; whatever it is, it is skipped), the
 * value stripped of the quotes around it.  Appends the pairs to env.
 * Returns -1 with why on a malformed list.
 */
int
sv_environment(const char *v, char ***env, size_t *n, char *why)
{
	char **t;
	size_t nt;
	int rc = 0;

	if (sv_shlex(v, &t, &nt, why) == -1)
		return -1;
	for (size_t i = 0; i < nt; i += 4) {
		char *val, *word;
		size_t vl, nl;

		if (nt - i < 3 || strcmp(t[i + 1], "=") != 0) {
			snprintf(
			    why, PARSE_WHY,
			    "expected KEY=value pairs separated by commas; "
			    "\"%.40s\" is not followed by = and a value "
			    "(quote a value that holds other characters "
			    "than letters, digits and _/.+-():)",
			    t[i]);
			rc = -1;
			break;
		}
		val = t[i + 2];
		vl = strlen(val);
		while (*val == '"' || *val == '\'')
			val++, vl--;
		while (vl > 0 && (val[vl - 1] == '"' || val[vl - 1] == '\''))
			vl--;
		word = xasprintf("%s=%.*s", t[i], (int)vl, val);
		if (parse_env_assignment(word, &nl, why) == -1) {
			char inner[PARSE_WHY];

			snprintf(inner, sizeof(inner), "%s", why);
			snprintf(why, PARSE_WHY, "\"%.40s\": %.180s", word,
				 inner);
			free(word);
			rc = -1;
			break;
		}
		config_env_set(env, n, word);
		free(word);
	}
	for (size_t i = 0; i < nt; i++)
		free(t[i]);
	free(t);
	return rc;
}

/* The directory of a file, absolute, for %(here)s; malloc'd. */
char *
sv_here(const char *file)
{
	char *here = xstrdup(file), *abs;

	*(strrchr(here, '/') ? strrchr(here, '/') : here) = '\0';
	abs = realpath(here[0] ? here : (file[0] == '/' ? "/" : "."), NULL);
	if (abs != NULL) {
		free(here);
		return abs;
	}
	return here;
}
