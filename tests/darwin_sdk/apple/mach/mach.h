/* Declarations-only stand-in for Apple's <mach/mach.h>, for the Linux-side
 * syntax check of the darwin sources (tests/darwin_sdk/README.md). Written
 * from Apple's documentation (Kernel/Mach: host_processor_info,
 * host_statistics64, host_page_size, vm_deallocate, task_info, and the
 * structs they fill); only what our sources use. Not for building. */
#ifndef MS_DARWIN_SDK_MACH_MACH_H
#define MS_DARWIN_SDK_MACH_MACH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int kern_return_t;
typedef unsigned int natural_t;
typedef int integer_t;
typedef natural_t mach_port_t;
typedef mach_port_t host_t;
typedef mach_port_t task_t;
typedef mach_port_t task_name_t;
typedef mach_port_t vm_map_t;
typedef uintptr_t vm_address_t;
typedef uintptr_t vm_size_t;
typedef uint64_t mach_vm_size_t;
typedef natural_t mach_msg_type_number_t;
typedef int processor_flavor_t;
typedef integer_t *processor_info_array_t;
typedef integer_t host_flavor_t;
typedef integer_t *host_info64_t;
typedef natural_t task_flavor_t;
typedef integer_t *task_info_t;
typedef int policy_t;

#define KERN_SUCCESS 0
#define MACH_PORT_NULL ((mach_port_t)0)

/* <mach/machine.h>, <mach/processor_info.h> */
#define CPU_STATE_MAX 4
#define CPU_STATE_USER 0
#define CPU_STATE_SYSTEM 1
#define CPU_STATE_IDLE 2
#define CPU_STATE_NICE 3
#define PROCESSOR_CPU_LOAD_INFO 2
struct processor_cpu_load_info {
  unsigned int cpu_ticks[CPU_STATE_MAX];
};
typedef struct processor_cpu_load_info processor_cpu_load_info_data_t;
typedef struct processor_cpu_load_info *processor_cpu_load_info_t;

/* <mach/vm_statistics.h>, <mach/host_info.h> */
struct vm_statistics64 {
  natural_t free_count;
  natural_t active_count;
  natural_t inactive_count;
  natural_t wire_count;
  uint64_t zero_fill_count;
  uint64_t reactivations;
  uint64_t pageins;
  uint64_t pageouts;
  uint64_t faults;
  uint64_t cow_faults;
  uint64_t lookups;
  uint64_t hits;
  uint64_t purges;
  natural_t purgeable_count;
  natural_t speculative_count;
  uint64_t decompressions;
  uint64_t compressions;
  uint64_t swapins;
  uint64_t swapouts;
  natural_t compressor_page_count;
  natural_t throttled_count;
  natural_t external_page_count;
  natural_t internal_page_count;
  uint64_t total_uncompressed_pages_in_compressor;
} __attribute__((aligned(8)));
typedef struct vm_statistics64 vm_statistics64_data_t;
#define HOST_VM_INFO64 4
#define HOST_VM_INFO64_COUNT \
  ((mach_msg_type_number_t)(sizeof(vm_statistics64_data_t) / sizeof(integer_t)))

/* <mach/task_info.h> */
struct time_value {
  integer_t seconds;
  integer_t microseconds;
};
typedef struct time_value time_value_t;
struct mach_task_basic_info {
  mach_vm_size_t virtual_size;
  mach_vm_size_t resident_size;
  mach_vm_size_t resident_size_max;
  time_value_t user_time;
  time_value_t system_time;
  policy_t policy;
  integer_t suspend_count;
};
typedef struct mach_task_basic_info mach_task_basic_info_data_t;
#define MACH_TASK_BASIC_INFO 20
#define MACH_TASK_BASIC_INFO_COUNT \
  ((mach_msg_type_number_t)(sizeof(mach_task_basic_info_data_t) / sizeof(natural_t)))

/* <mach/mach_init.h>: mach_task_self() is a macro over a variable. */
extern mach_port_t mach_task_self_;
#define mach_task_self() mach_task_self_
mach_port_t mach_host_self(void);

kern_return_t host_processor_info(host_t host, processor_flavor_t flavor,
                                  natural_t *out_processor_count,
                                  processor_info_array_t *out_processor_info,
                                  mach_msg_type_number_t *out_processor_infoCnt);
kern_return_t host_statistics64(host_t host_priv, host_flavor_t flavor,
                                host_info64_t host_info64_out,
                                mach_msg_type_number_t *host_info64_outCnt);
kern_return_t host_page_size(host_t host, vm_size_t *out_page_size);
kern_return_t vm_deallocate(vm_map_t target_task, vm_address_t address, vm_size_t size);
kern_return_t task_info(task_name_t target_task, task_flavor_t flavor, task_info_t task_info_out,
                        mach_msg_type_number_t *task_info_outCnt);

#ifdef __cplusplus
}
#endif

#endif
