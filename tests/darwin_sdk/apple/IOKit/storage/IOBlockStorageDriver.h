/* Declarations-only stand-in for Apple's <IOKit/storage/IOBlockStorageDriver.h>
 * (see tests/darwin_sdk/README.md): the class name and the keys of its
 * "Statistics" property dictionary. */
#ifndef MS_DARWIN_SDK_IOKIT_IOBLOCKSTORAGEDRIVER_H
#define MS_DARWIN_SDK_IOKIT_IOBLOCKSTORAGEDRIVER_H
#define kIOBlockStorageDriverClass "IOBlockStorageDriver"
#define kIOBlockStorageDriverStatisticsKey "Statistics"
#define kIOBlockStorageDriverStatisticsBytesReadKey "Bytes (Read)"
#define kIOBlockStorageDriverStatisticsBytesWrittenKey "Bytes (Write)"
#define kIOBlockStorageDriverStatisticsReadsKey "Operations (Read)"
#define kIOBlockStorageDriverStatisticsWritesKey "Operations (Write)"
#define kIOBlockStorageDriverStatisticsTotalReadTimeKey "Total Time (Read)"
#define kIOBlockStorageDriverStatisticsTotalWriteTimeKey "Total Time (Write)"
#endif
