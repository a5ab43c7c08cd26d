/*
 * A ward's environment: environment= and environment_file= (KEY=value
 * files, read once the section is complete).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config-internal.h"

/* Set NAME=value in a NULL-terminated environment vector, replacing. */
void
config_env_set(char ***env, size_t *n, const char *word)
{
	size_t nl = strcspn(word, "=");

	for (size_t i = 0; i < *n; i++) {
		if (strncmp((*env)[i], word, nl + 1) == 0) {
			free((*env)[i]);
			(*env)[i] = xstrdup(word);
			return;
		}
	}
	*env = xrealloc(*env, (*n + 2) * sizeof(char *));
	(*env)[(*n)++] = xstrdup(word);
	(*env)[*n] = NULL;
}

/*
 * Read one environment file: KEY=value lines; blank lines and lines
 * starting with # or ; are comments; a value in quotes is unquoted like
 * a shell word.  Problems name the file's own line.
 */
static void
config_env_file(struct config_state *st, struct ward_spec *w, int line_at,
		const char *path, bool optional, char ***env, size_t *n)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, fd;
	const char *saved = st->path;
	int saved_file = st->file;
	char why[PARSE_WHY];
	bool wrong_kind;

	fd = config_open(path, &wrong_kind, why, sizeof(why));
	if (fd == -1 && wrong_kind) {
		config_problem(st, CONFIG_ERROR, line_at,
			       "[%s:%s] environment_file %s %s; expected a "
			       "file of KEY=value lines (or /dev/null)",
			       w->kind, w->name, path, why);
		return;
	}
	if (fd == -1 && errno != 0) {
		if (!(optional && errno == ENOENT))
			config_problem(st, CONFIG_ERROR, line_at,
				       "[%s:%s] environment_file %s: %s%s",
				       w->kind, w->name, path, why,
				       errno == ENOENT
					   ? " (a leading - makes it optional)"
					   : "");
		return;
	}
	st->path = path;
	if (fd == -1 || (f = fdopen(fd, "r")) == NULL) {
		/* Refused (config_strict), or out of memory. */
		if (fd != -1) {
			snprintf(why, sizeof(why), "cannot read: %s",
				 strerror(errno));
			close(fd);
		}
		config_problem(st, CONFIG_ERROR, 0, "%s", why);
		st->path = saved;
		st->file = saved_file;
		return;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		char *p = line, *eq, *end = line + len;
		size_t nl;

		lineno++;
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
				   end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (memchr(p, '\0', (size_t)(end - p)) != NULL ||
		    (eq = strchr(p, '=')) == NULL) {
			config_problem(
			    st, CONFIG_ERROR, lineno,
			    "not a KEY=value line (in environment_file of "
			    "[%s:%s])",
			    w->kind, w->name);
			continue;
		}
		if (parse_env_assignment(p, &nl, why) == -1) {
			config_problem(st, CONFIG_ERROR, lineno,
				       "%s (in "
				       "environment_file of [%s:%s])",
				       why, w->kind, w->name);
			continue;
		}
		if (eq[1] == '"' || eq[1] == '\'') {
			char **words = NULL;
			size_t nw = 0;

			if (parse_split(eq + 1, &words, &nw, why) == -1 ||
			    nw != 1) {
				if (nw != 1 && words != NULL)
					snprintf(
					    why, PARSE_WHY,
					    "a quoted value must be one word");
				config_problem(
				    st, CONFIG_ERROR, lineno,
				    "%.*s: %s (in environment_file of "
				    "[%s:%s])",
				    (int)nl, p, why, w->kind, w->name);
				if (words != NULL)
					parse_split_free(words);
				continue;
			}
			char *word = xasprintf("%.*s=%s", (int)nl, p, words[0]);
			config_env_set(env, n, word);
			free(word);
			parse_split_free(words);
		} else {
			config_env_set(env, n, p);
		}
	}
	free(line);
	fclose(f);
	st->path = saved;
	st->file = saved_file;
}

/* environment_file= first, then environment= over it. */
void
config_ward_env(struct config_state *st, struct config_ward *cw)
{
	struct ward_spec *w = &cw->spec;
	int line_at = cw->key_line[K_ENVIRONMENT_FILE]
			  ? cw->key_line[K_ENVIRONMENT_FILE]
			  : w->line;
	char **files, **env = NULL;
	size_t nfiles, n = 0;
	char why[PARSE_WHY];

	if (w->env_files == NULL ||
	    parse_split(w->env_files, &files, &nfiles, why) == -1)
		return;
	env = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < nfiles; i++) {
		bool optional = files[i][0] == '-';
		char *path = config_path_from(st, files[i] + optional);

		config_env_file(st, w, line_at, path, optional, &env, &n);
		free(path);
	}
	parse_split_free(files);
	for (size_t i = 0; i < w->nenv; i++) {
		config_env_set(&env, &n, w->env[i]);
		free(w->env[i]);
	}
	free(w->env);
	w->env = env;
	w->nenv = n;
}
