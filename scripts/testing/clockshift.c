/* A test shim (LD_PRELOAD) that steps a process's wall clock: CLOCK_REALTIME, gettimeofday and time()
 * read the real clock plus the offset in milliseconds written in the file named by CLOCKSHIFT_FILE
 * (read on every call, so a test can step the clock of a running process). Monotonic clocks are left
 * alone, as a real NTP step or VM restore leaves them. Used by scripts/clock_step_test.sh. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long offset_ms(void) {
    const char *path = getenv("CLOCKSHIFT_FILE");
    if (!path) return 0;
    FILE *file = fopen(path, "r");
    if (!file) return 0;
    long long value = 0;
    if (fscanf(file, "%lld", &value) != 1) value = 0;
    fclose(file);
    return value;
}

static void shift(struct timespec *ts) {
    long long ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + offset_ms() * 1000000LL;
    ts->tv_sec = ns / 1000000000LL;
    ts->tv_nsec = ns % 1000000000LL;
    if (ts->tv_nsec < 0) { ts->tv_nsec += 1000000000LL; ts->tv_sec -= 1; }
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *);
    if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int result = real(clock, ts);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
    return result;
}

int gettimeofday(struct timeval *tv, void *tz) {
    struct timespec ts;
    int result = clock_gettime(CLOCK_REALTIME, &ts);
    if (result == 0 && tv) { tv->tv_sec = ts.tv_sec; tv->tv_usec = ts.tv_nsec / 1000; }
    (void)tz;
    return result;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
