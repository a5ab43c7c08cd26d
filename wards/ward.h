/*
 * libward: the ward side of steward's heartbeat protocol, for C programs.
 *
 * A ward is a process that steward supervises.  It proves it is alive by
 * sending short messages to steward: on the pipe named by
 * STEWARD_HEARTBEAT_FD (heartbeat = pipe) or, when that is absent, as
 * datagrams to NOTIFY_SOCKET (heartbeat = notify, also systemd's
 * sd_notify(3) socket).  Each call below sends one message.
 *
 * The rules every call keeps (see libward(3)):
 *   - It never blocks.  A message that does not fit right now is dropped
 *     and counted (ward_dropped()); the call fails with EAGAIN.
 *   - It never raises SIGPIPE, whatever the program's SIGPIPE handling.
 *   - It is safe from any number of threads; one call is one whole line.
 *   - Off steward (neither variable set) it does nothing and returns 0.
 * Calls return 0 on success and -1 with errno set on failure.  A failed
 * beat is not an emergency: the next one may well get through.
 *
 * The environment is read once, at the first call; the library keeps its
 * own close-on-exec descriptor from then on, so a program that closes
 * descriptors at start-up should call ward_enabled() before it does.
 */
#ifndef WARD_H
#define WARD_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WARD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WARD_PRINTF(f, a)
#endif

/* Beat: "WATCHDOG=1".  Call at least every ward_interval_ms(). */
int ward_beat(void);

/* Beat at the start of a unit of work: "WORK=<id>", printf-style. */
int ward_work(const char *fmt, ...) WARD_PRINTF(1, 2);
int ward_vwork(const char *fmt, va_list ap) WARD_PRINTF(1, 0);

/* Say start-up is over: "READY=1". */
int ward_ready(void);

/*
 * Set the status text shown by stewardctl status: "STATUS=<text>",
 * printf-style.  Control characters become spaces or '?' and the text is
 * cut (at a UTF-8 character boundary) so the message fits one line.
 */
int ward_status(const char *fmt, ...) WARD_PRINTF(1, 2);
int ward_vstatus(const char *fmt, va_list ap) WARD_PRINTF(1, 0);

/* Move this one deadline usec microseconds away: "EXTEND_TIMEOUT_USEC=". */
int ward_extend_usec(uint64_t usec);

/* Ask to be healed now: "WATCHDOG=trigger". */
int ward_trigger(void);

/* Say the ward is shutting down on its own: "STOPPING=1". */
int ward_stopping(void);

/*
 * Beat from a background thread every ward_interval_ms(), for programs
 * with no loop of their own.  Start sends the first beat at once;
 * starting a running pulse is a no-op, and so is starting one with no
 * interval to keep.  Stop wakes the thread and joins it; stopping what
 * was never started is a no-op.  Not for signal handlers.
 */
int ward_pulse_start(void);
int ward_pulse_stop(void);

/* How often to beat, in milliseconds: 0 when no one is watching. */
long ward_interval_ms(void);

/* 1 when the program runs under steward (or a notify socket), else 0. */
int ward_enabled(void);

/* How many messages could not be delivered (full channel, reader gone). */
unsigned long ward_dropped(void);

#ifdef __cplusplus
}
#endif

#endif
