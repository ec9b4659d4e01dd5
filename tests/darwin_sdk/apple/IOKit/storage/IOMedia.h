/* Declarations-only stand-in for Apple's <IOKit/storage/IOMedia.h> (see
 * tests/darwin_sdk/README.md). */
#ifndef MS_DARWIN_SDK_IOKIT_IOMEDIA_H
#define MS_DARWIN_SDK_IOKIT_IOMEDIA_H
#define kIOMediaClass "IOMedia"
#define kIOMediaPreferredBlockSizeKey "Preferred Block Size"
#define kIOMediaWholeKey "Whole"
#endif
