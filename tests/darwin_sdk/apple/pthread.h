/* Overlay of <pthread.h> (see tests/darwin_sdk/README.md): POSIX threads,
 * which macOS shares, plus Apple's pthread_threadid_np (spdlog's thread id
 * on macOS). macOS's pthread_t is a pointer (struct _opaque_pthread_t *),
 * glibc's an integer: the declaration takes Apple's pointer type, so that
 * pthread_threadid_np(nullptr, &id) checks as it compiles on a Mac. */
#ifndef MS_DARWIN_SDK_PTHREAD_H
#define MS_DARWIN_SDK_PTHREAD_H
#include_next <pthread.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
struct _opaque_pthread_t;
int pthread_threadid_np(struct _opaque_pthread_t *thread, uint64_t *thread_id);
#ifdef __cplusplus
}
#endif
#endif
