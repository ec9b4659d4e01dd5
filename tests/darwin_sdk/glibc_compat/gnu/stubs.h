/* Not an Apple header: glibc's list of unimplemented functions, which it
 * picks by __x86_64__ (so an arm64 target asks for stubs-32.h). Nothing in
 * it matters to a syntax check. See tests/darwin_sdk/README.md. */
