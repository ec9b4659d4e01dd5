/* Declarations-only stand-in for Apple's <TargetConditionals.h> (see
 * tests/darwin_sdk/README.md): the platform switches for macOS. */
#ifndef MS_DARWIN_SDK_TARGETCONDITIONALS_H
#define MS_DARWIN_SDK_TARGETCONDITIONALS_H
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_EMBEDDED 0
#endif
