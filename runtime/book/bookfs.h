/* bookfs.h - file helpers the book builder needs beyond fsutil.h. */
#ifndef WB_BOOKFS_H
#define WB_BOOKFS_H

/* Copy src to dst atomically (temporary file, then rename), keeping
 * src's modification time so an unchanged copy is recognisable.
 * 0, or -1 with errno set. */
int bf_copy(const char *src, const char *dst);
/* rm -rf path; 0 (also when path does not exist), or -1 with errno. */
int bf_rmtree(const char *path);
#endif
