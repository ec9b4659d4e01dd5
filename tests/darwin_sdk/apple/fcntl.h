/* Overlay of <fcntl.h> (see tests/darwin_sdk/README.md): POSIX file control,
 * plus Apple's F_FULLFSYNC (flush to the medium, not only to the drive). */
#ifndef MS_DARWIN_SDK_FCNTL_H
#define MS_DARWIN_SDK_FCNTL_H
#include_next <fcntl.h>
#define F_FULLFSYNC 51
#endif
