/* version.h - the workbook version string. */
#define WORKBOOK_VERSION "0.1.0"
