/*
 * What every fuzz target shares: libFuzzer's entry point, declared so
 * that -Wmissing-prototypes holds, and FUZZ_CHECK, which turns a broken
 * property into a crash that libFuzzer saves with its input.
 *
 * A target checks more than "does not crash": each parser's contract
 * (a result in range, an error that says why, a value that survives a
 * round trip) is asserted with FUZZ_CHECK, so a wrong answer is found
 * as surely as an overflow.
 */
#ifndef STEWARD_FUZZ_H
#define STEWARD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with the property that failed and where; libFuzzer keeps the
 * input as a crash-* artifact. */
#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"%s:%d: property failed: %s: ", __FILE__,      \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
