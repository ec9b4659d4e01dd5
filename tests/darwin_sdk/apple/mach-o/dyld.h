/* Declarations-only stand-in for Apple's <mach-o/dyld.h> (see
 * tests/darwin_sdk/README.md): _NSGetExecutablePath(3). */
#ifndef MS_DARWIN_SDK_MACH_O_DYLD_H
#define MS_DARWIN_SDK_MACH_O_DYLD_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
int _NSGetExecutablePath(char *buf, uint32_t *bufsize);
#ifdef __cplusplus
}
#endif
#endif
