/* Declarations-only stand-in for Apple's <sys/sysctl.h> (see
 * tests/darwin_sdk/README.md): sysctl(3), sysctlbyname(3), the MIB names
 * used (kern.boottime, the routing table's interface list) and struct
 * xsw_usage (vm.swapusage). */
#ifndef MS_DARWIN_SDK_SYS_SYSCTL_H
#define MS_DARWIN_SDK_SYS_SYSCTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_KERN 1
#define CTL_NET 4
#define CTL_HW 6
#define KERN_BOOTTIME 21

struct xsw_usage {
  uint64_t xsu_total;
  uint64_t xsu_avail;
  uint64_t xsu_used;
  uint32_t xsu_pagesize;
  int xsu_encrypted; /* boolean_t */
};

int sysctl(int *name, unsigned int namelen, void *oldp, size_t *oldlenp, void *newp,
           size_t newlen);
int sysctlbyname(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

#ifdef __cplusplus
}
#endif

#endif
