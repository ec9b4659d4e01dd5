/* Not an Apple header: lets the host's x86_64 glibc headers parse under an
 * arm64 darwin target (glibc keys its word size on __x86_64__). Both macOS
 * targets are LP64. See tests/darwin_sdk/README.md. */
#define __WORDSIZE 64
#define __WORDSIZE_TIME64_COMPAT32 1
#define __SYSCALL_WORDSIZE 64
