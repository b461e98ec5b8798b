/* lsys.h - what the host (main.c) needs from the `sys` module besides
 * sys_doing (bind/lutil.h). */
#ifndef WB_LSYS_H
#define WB_LSYS_H

#include <lua.h>

/* Call the function sys.on_interrupt registered, if any, once, in
 * protected mode (an error is printed to stderr); for the interrupt
 * path, which then exits. */
void sys_run_on_interrupt(lua_State *L);

#endif
