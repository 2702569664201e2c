/* attached: what the daemon tells its service manager (systemd's sd_notify
 * protocol): ready, reloading, stopping, and watchdog pings that vouch for
 * every worker's event loop. Without NOTIFY_SOCKET every call is a no-op. */
#ifndef ATT_NOTIFY_H
#define ATT_NOTIFY_H

struct server;
struct worker;

/* Read NOTIFY_SOCKET and the watchdog settings (WATCHDOG_USEC, WATCHDOG_PID)
 * into s. Call in the main thread before workers_start. */
void notify_init(struct server *s);

/* Listener thread, once the index is open, the sockets listen and the
 * workers run: READY=1 with STATUS= and MAINPID=, and the watchdog timer
 * on s->base (its period half of WATCHDOG_USEC). 0, or -1 when the timer
 * cannot be made. */
int notify_ready(struct server *s);

/* Listener thread, after its loop ended: free the watchdog timer. */
void notify_fini(struct server *s);

/* Listener thread, SIGHUP received, before the workers are told: RELOADING=1
 * with MONOTONIC_USEC=; each worker then calls notify_reloaded once its
 * index is open again, and the last of them sends READY=1. */
void notify_reloading(struct server *s);

/* Worker thread, its reload done. Thread-safe. */
void notify_reloaded(struct server *s);

/* Listener thread, SIGTERM or SIGINT received: STOPPING=1. */
void notify_stopping(struct server *s);

/* Worker setup (before its thread starts): with the watchdog on, a timer
 * on w->base that records, every quarter of WATCHDOG_USEC, that its loop
 * turns. 0, or -1 when the timer cannot be made. */
int notify_worker_start(struct worker *w);

/* Free what notify_worker_start made (NULL-safe; its loop has ended). */
void notify_worker_fini(struct worker *w);

#endif
