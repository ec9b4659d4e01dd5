/* Declarations-only stand-in for Apple's <IOKit/IOBSD.h> (see
 * tests/darwin_sdk/README.md). */
#ifndef MS_DARWIN_SDK_IOKIT_IOBSD_H
#define MS_DARWIN_SDK_IOKIT_IOBSD_H
#define kIOBSDNameKey "BSD Name"
#endif
