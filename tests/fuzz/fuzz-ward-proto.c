/*
 * Fuzz ward_proto_parse(): the input is one heartbeat line, without its
 * newline, exactly as the pipe framer hands it over.
 *
 * Properties: the kind is a known one; WORK= and STATUS= texts lie inside
 * the line and hold no control bytes but tabs; an invalid line says why;
 * EXTEND_TIMEOUT_USEC= is a non-negative count.
 */
#include <string.h>

#include "fuzz.h"
#include "proto/ward-proto.h"

/* Check one parsed message against the line it came from. */
static void
check_msg(const char *line, size_t len, const struct proto_msg *m)
{
	FUZZ_CHECK(strcmp(ward_proto_kind_name(m->kind), "unknown") != 0,
		   "kind %d", (int)m->kind);
	if (m->kind == PROTO_WORK || m->kind == PROTO_STATUS) {
		FUZZ_CHECK(m->arg >= line && m->arg + m->arglen <= line + len,
			   "argument outside the line");
		for (size_t i = 0; i < m->arglen; i++) {
			unsigned char c = (unsigned char)m->arg[i];

			FUZZ_CHECK(c == '\t' || (c >= 0x20 && c != 0x7f),
				   "control byte 0x%02x in the argument", c);
		}
	}
	if (m->kind == PROTO_EXTEND)
		FUZZ_CHECK(m->usec >= 0, "usec %lld", (long long)m->usec);
	if (m->kind == PROTO_INVALID)
		FUZZ_CHECK(m->why != NULL && m->why[0] != '\0', "no reason");
}

/* One line in, one message out. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_msg m;

	ward_proto_parse((const char *)data, size, &m);
	check_msg((const char *)data, size, &m);
	return 0;
}
