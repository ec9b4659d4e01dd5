/* Declarations-only stand-in for Apple's <IOKit/pwr_mgt/IOPMLib.h> and the
 * CPU power keys of <IOKit/pwr_mgt/IOPM.h> (see tests/darwin_sdk/README.md). */
#ifndef MS_DARWIN_SDK_IOKIT_IOPMLIB_H
#define MS_DARWIN_SDK_IOKIT_IOPMLIB_H
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOReturn.h>
#define kIOPMCPUPowerLimitProcessorSpeedKey "CPU_Speed_Limit"
#define kIOPMCPUPowerLimitProcessorCountKey "CPU_Available_CPUs"
#define kIOPMCPUPowerLimitSchedulerTimeKey "CPU_Scheduler_Limit"
#ifdef __cplusplus
extern "C" {
#endif
/* On success *cpuPowerStatus is a new dictionary the caller releases. */
IOReturn IOPMCopyCPUPowerStatus(CFDictionaryRef *cpuPowerStatus);
#ifdef __cplusplus
}
#endif
#endif
