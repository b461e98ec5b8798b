/* test_book.c - the book builder's C core without Lua: math protection
 * and its line map, heading slugs, anchored includes, SHA-256, child
 * processes with a kill and an interrupt, a whole page through
 * bm_render, a lab's cells. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book/bookhash.h"
#include "book/bookinc.h"
#include "book/bookmath.h"
#include "book/bookmd.h"
#include "book/bookrun.h"
#include "tap.h"

static void test_math(void) {
  const char *src = "a $x_1$ b\n\n$$\nA \\\\ B\n$$\n\n`$no$` \\$ $5 and $10\nend\n";
  unsigned char skip[16] = {0};
  BmProtected p;
  ok(bm_protect_math(src, strlen(src), skip, 16, &p) == 0, "protect math");
  is(p.nmath, 2, "two formulas");
  ok(p.nmath == 2 && strcmp(p.math[0].tex, "x_1") == 0 && !p.math[0].display,
     "inline TeX kept");
  ok(p.nmath == 2 && strcmp(p.math[1].tex, "\nA \\\\ B\n") == 0
     && p.math[1].display, "display TeX kept");
  ok(strstr(p.text, "`$no$` \\$ $5 and $10") != NULL, "code span, \\$, money");
  /* output lines: 1 "a T0 b", 2 "", 3 "T1", 4 "", 5 "`$no$`...", 6 "end" */
  ok(p.nlines >= 6 && p.line_map[2] == 3 && p.line_map[4] == 7
     && p.line_map[5] == 8, "line map skips the lines math swallowed");
  size_t k;
  is(bm_token_at(BM_TOKEN "12Z rest", 12, &k), 12, "token index");
  is((long long)k, 8, "token length");
  is(bm_token_at(BM_TOKEN "12 rest", 10, &k), -1, "no Z, no token");
  bm_protected_free(&p);
  skip[0] = 1;   /* a code block line is left alone */
  ok(bm_protect_math(src, strlen(src), skip, 16, &p) == 0 && p.nmath == 1,
     "skipped lines hold no math");
  bm_protected_free(&p);
}

static void test_slug(void) {
  char out[128];
  bm_slug("LAB 9-1 합성곱을 만들어보자", out, sizeof out);
  ok(strcmp(out, "lab-9-1-합성곱을-만들어보자") == 0, "Korean slug: %s", out);
  bm_slug("?!", out, sizeof out);
  ok(strcmp(out, "section") == 0, "empty slug");
  bm_slug("Ελληνικά × Кириллица", out, sizeof out);
  ok(strcmp(out, "Ελληνικά-Кириллица") == 0, "other scripts kept as written, × dropped: %s", out);
}

static void test_include(void) {
  char path[] = "/tmp/wb_inc_XXXXXX", why[256];
  int fd = mkstemp(path);
  const char *code = "top\n  -- ANCHOR: a\n    x = 1\n      y = 2\n"
                     "  -- ANCHOR: b\n    z\n  -- ANCHOR_END: b\n"
                     "  -- ANCHOR_END: a\n# ANCHOR: c\n";
  ok(fd >= 0 && write(fd, code, strlen(code)) == (ssize_t)strlen(code), "temp file");
  close(fd);
  char *s = bi_include(path, "f.lua", "a", why, sizeof why);
  ok(s && strcmp(s, "x = 1\n  y = 2\nz") == 0, "anchor: dedented, nested markers gone");
  free(s);
  s = bi_include(path, "f.lua", NULL, why, sizeof why);
  ok(s && strcmp(s, "top\n    x = 1\n      y = 2\n    z") == 0, "whole file, markers gone");
  free(s);
  s = bi_include(path, "f.lua", "c", why, sizeof why);
  ok(!s && strcmp(why, "anchor 'c' in f.lua has no ANCHOR_END") == 0, "unclosed anchor");
  s = bi_include(path, "f.lua", "d", why, sizeof why);
  ok(!s && strcmp(why, "anchor 'd' not found in f.lua") == 0, "missing anchor");
  unlink(path);
  s = bi_include(path, "f.lua", NULL, why, sizeof why);
  ok(!s && strstr(why, "cannot read f.lua") != NULL, "missing file");
}

static void test_hash(void) {
  char hex[BH_HEX];
  bh_sha256_buf("abc", 3, hex);
  ok(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
     "SHA-256 of abc");
  ok(bh_sha256_file("/nonexistent/file", hex) == -1, "missing file");
}

static void test_run(void) {
  char out[] = "/tmp/wb_run_XXXXXX";
  int fd = mkstemp(out);
  close(fd);
  char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
  pid_t pid = br_spawn(argv, NULL, "/", out);
  int code = 0, r;
  while ((r = br_poll(pid, &code)) == 0) usleep(1000);
  ok(r == 1 && code == 3, "exit status");
  char buf[64] = {0};
  FILE *f = fopen(out, "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f) fclose(f);
  ok(n && strcmp(buf, "out\nerr\n") == 0, "stdout and stderr in one file");
  char *sleeper[] = {"/bin/sh", "-c", "sleep 30 & wait", NULL};
  pid = br_spawn(sleeper, NULL, NULL, out);
  ok(pid > 0 && br_poll(pid, &code) == 0, "still running");
  br_kill(pid);
  ok(br_poll(pid, &code) == -1, "killed and reaped");
  char *none[] = {"/no/such/program", NULL};
  ok(br_spawn(none, NULL, NULL, out) < 0, "spawn of a missing program fails");

  /* br_interrupt: the child gets SIGINT at its default even when ours is
   * ignored (a trap on a signal ignored at entry would not hold), and
   * stops the way it chooses */
  struct sigaction ign, old;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGINT, &ign, &old);
  char *trapper[] = {"/bin/sh", "-c",
                     "trap 'exit 7' INT; echo ready; while :; do sleep 0.05; done",
                     NULL};
  unlink(out);
  pid = br_spawn(trapper, NULL, NULL, out);
  sigaction(SIGINT, &old, NULL);
  for (int i = 0; i < 2000; i++) {    /* until its trap is set: up to 20 s */
    FILE *g = fopen(out, "r");
    int ready = g && fgetc(g) == 'r';
    if (g) fclose(g);
    if (ready) break;
    usleep(10000);
  }
  br_interrupt(pid);
  code = 0;
  for (int i = 0; i < 2000 && (r = br_poll(pid, &code)) == 0; i++) usleep(10000);
  ok(r == 1 && code == 7, "br_interrupt: the child's SIGINT trap ran (exit %d)", code);

  /* br_kill_all: every child not yet reaped, for the last resort */
  pid_t a = br_spawn(sleeper, NULL, NULL, out);
  pid_t b = br_spawn(sleeper, NULL, NULL, out);
  is(br_kill_all(), 2, "br_kill_all signals both running children");
  int ca = 0, cb = 0, ra, rb;
  for (int i = 0; i < 2000 && (ra = br_poll(a, &ca)) == 0; i++) usleep(10000);
  for (int i = 0; i < 2000 && (rb = br_poll(b, &cb)) == 0; i++) usleep(10000);
  ok(ra == 1 && rb == 1 && ca == -SIGKILL && cb == -SIGKILL, "both were killed");
  is(br_kill_all(), 0, "reaped children are forgotten");
  unlink(out);
}

static void test_page(void) {
  const char *md = "# 제목 $a_1$\n\n| a | b |\n|---|---|\n| $|x|$ | [l](#제목-a_1) |\n";
  BmPage pg;
  char err[256];
  ok(bm_render(md, strlen(md), "t.md", ".", ".", &pg, err, sizeof err) == 0,
     "render a page");
  ok(pg.nheads == 1 && strcmp(pg.heads[0].id, "제목-a_1") == 0, "heading id");
  ok(strstr(pg.html, "<td><span class=\"math inline\">|x|</span></td>") != NULL,
     "math in a table");
  ok(pg.nrefs == 1 && strcmp(pg.refs[0].url, "#제목-a_1") == 0, "link ref");
  is(pg.nmath, 2, "formulas counted");
  bm_page_free(&pg);
  md = "text\n\n```lua include=none.lua run\n```\n";
  ok(bm_render(md, strlen(md), "t.md", "/nonexistent", "ch", &pg, err, sizeof err)
     == -1 && strncmp(err, "t.md:3: include: cannot read ch/none.lua", 40) == 0,
     "missing include: %s", err);
}

/* Cells: the lines before the first marker, named and Markdown cells,
 * a lab without markers, and lines that only look like markers. */
static void test_cells(void) {
  BiCell *v;
  int n;
  const char *lab = "-- header\nlocal a = 1\n\n-- %% 첫 셀\nprint(a)\n\n"
                    "-- %% [markdown]\n-- ## 제목\n--\n-- 본문 $x$\n"
                    "-- %%\n--  %% not a marker\n-- %%x not one either\nprint(2)\n";
  ok(bi_cells(lab, &v, &n) == 0, "cells of a lab");
  is(n, 4, "cell 0 and three markers");
  if (n == 4) {
    ok(v[0].index == 0 && strcmp(v[0].text, "-- header\nlocal a = 1") == 0
       && v[0].title[0] == 0, "cell 0: the lines before the first marker");
    ok(v[1].index == 1 && strcmp(v[1].title, "첫 셀") == 0
       && strcmp(v[1].text, "print(a)") == 0 && !v[1].markdown,
       "a named code cell, blank lines trimmed");
    ok(v[2].markdown && strcmp(v[2].text, "## 제목\n\n본문 $x$") == 0 && v[2].title[0] == 0,
       "a Markdown cell loses its comment leaders");
    ok(v[3].index == 3 && strcmp(v[3].text, "--  %% not a marker\n-- %%x not one either\nprint(2)") == 0,
       "only '-- %%' at the line's start, then a blank or the end, is a marker");
  }
  bi_cells_free(v, n);
  ok(bi_cells("print(1)\nprint(2)\n", &v, &n) == 0 && n == 1 && v[0].index == 0
     && strcmp(v[0].text, "print(1)\nprint(2)") == 0, "a lab without markers is one cell");
  bi_cells_free(v, n);
  ok(bi_cells("", &v, &n) == 0 && n == 1 && v[0].text[0] == 0, "an empty lab: one empty cell");
  bi_cells_free(v, n);
}

int main(void) {
  test_math();
  test_slug();
  test_include();
  test_hash();
  test_run();
  test_page();
  test_cells();
  return done_testing();
}
