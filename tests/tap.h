/* tap.h - a tiny TAP producer for the C tests: plan, ok, is, near,
 * done_testing. Diagnostics go to stdout prefixed with '#'. */
#ifndef WB_TAP_H
#define WB_TAP_H
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;
#define TAP_FN static __attribute__((unused))

TAP_FN void plan(int n) { printf("1..%d\n", n); }

TAP_FN int tap_vok(int cond, const char *fmt, va_list ap) {
  tap_n++;
  printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
  vprintf(fmt, ap);
  putchar('\n');
  if (!cond) tap_failed++;
  fflush(stdout);
  return cond;
}

TAP_FN int ok(int cond, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = tap_vok(cond, fmt, ap);
  va_end(ap);
  return r;
}

/* integers equal */
TAP_FN int is(long long got, long long want, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = tap_vok(got == want, fmt, ap);
  va_end(ap);
  if (!r) printf("#   got %lld, want %lld\n", got, want);
  return r;
}

/* |got - want| <= tol */
TAP_FN int near(double got, double want, double tol, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = tap_vok(fabs(got - want) <= tol, fmt, ap);
  va_end(ap);
  if (!r) printf("#   got %.9g, want %.9g (tol %g)\n", got, want, tol);
  return r;
}

TAP_FN void diag(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("# ");
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
}

TAP_FN int done_testing(void) {
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}
#endif
