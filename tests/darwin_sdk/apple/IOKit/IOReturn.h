/* Declarations-only stand-in for Apple's <IOKit/IOReturn.h> (see
 * tests/darwin_sdk/README.md). */
#ifndef MS_DARWIN_SDK_IOKIT_IORETURN_H
#define MS_DARWIN_SDK_IOKIT_IORETURN_H
#include <mach/mach.h>
typedef kern_return_t IOReturn;
#define kIOReturnSuccess KERN_SUCCESS
#define kIOReturnNotFound ((IOReturn)0xe00002f0) /* iokit_common_err(0x2f0) */
#endif
