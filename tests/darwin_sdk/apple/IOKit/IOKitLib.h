/* Declarations-only stand-in for Apple's <IOKit/IOKitLib.h> (see
 * tests/darwin_sdk/README.md): registry iteration and properties. */
#ifndef MS_DARWIN_SDK_IOKIT_IOKITLIB_H
#define MS_DARWIN_SDK_IOKIT_IOKITLIB_H

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOReturn.h>
#include <mach/mach.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef mach_port_t io_object_t;
typedef io_object_t io_iterator_t;
typedef io_object_t io_registry_entry_t;
typedef io_object_t io_service_t;
typedef char io_name_t[128];
typedef UInt32 IOOptionBits;

#define kIOServicePlane "IOService"

CFMutableDictionaryRef IOServiceMatching(const char *name);
/* Consumes one reference to matching. */
kern_return_t IOServiceGetMatchingServices(mach_port_t mainPort, CFDictionaryRef matching,
                                           io_iterator_t *existing);
io_object_t IOIteratorNext(io_iterator_t iterator);
kern_return_t IOObjectRelease(io_object_t object);
kern_return_t IORegistryEntryGetChildEntry(io_registry_entry_t entry, const io_name_t plane,
                                           io_registry_entry_t *child);
kern_return_t IORegistryEntryCreateCFProperties(io_registry_entry_t entry,
                                                CFMutableDictionaryRef *properties,
                                                CFAllocatorRef allocator, IOOptionBits options);

#ifdef __cplusplus
}
#endif

#endif
