/* lsys.h - what the host (main.c) needs from the `sys` module besides
 * sys_doing (bind/lutil.h). */
#ifndef WB_LSYS_H
#define WB_LSYS_H

#include <lua.h>

/* Call the function sys.on_interrupt registered, if any, once, in
 * protected mode (an error is printed to stderr); for the interrupt
 * path, which then exits. */
void sys_run_on_interrupt(lua_State *L);

/* sys.doing(nil): after an evaluation the REPL stopped with an error, what
 * it was doing is over. */
void sys_doing_clear(void);

#endif
