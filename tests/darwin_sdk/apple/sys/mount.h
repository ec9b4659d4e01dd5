/* Declarations-only stand-in for Apple's <sys/mount.h> (see
 * tests/darwin_sdk/README.md): struct statfs (the 64-bit-inode layout every
 * macOS since 10.6 uses), getmntinfo(3), statfs(2), the MNT_* flags used.
 * It replaces glibc's <sys/mount.h> (Linux's mount(2) API) entirely. */
#ifndef MS_DARWIN_SDK_SYS_MOUNT_H
#define MS_DARWIN_SDK_SYS_MOUNT_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MFSTYPENAMELEN 16
#define MS_DARWIN_MAXPATHLEN 1024 /* Apple's MAXPATHLEN */

/* fsid_t (struct { int32_t val[2]; }) comes from <sys/types.h>, on macOS
 * and on the host alike. */

struct statfs {
  uint32_t f_bsize;
  int32_t f_iosize;
  uint64_t f_blocks;
  uint64_t f_bfree;
  uint64_t f_bavail;
  uint64_t f_files;
  uint64_t f_ffree;
  fsid_t f_fsid;
  uid_t f_owner;
  uint32_t f_type;
  uint32_t f_flags;
  uint32_t f_fssubtype;
  char f_fstypename[MFSTYPENAMELEN];
  char f_mntonname[MS_DARWIN_MAXPATHLEN];
  char f_mntfromname[MS_DARWIN_MAXPATHLEN];
  uint32_t f_flags_ext;
  uint32_t f_reserved[7];
};

#define MNT_RDONLY 0x00000001
#define MNT_WAIT 1
#define MNT_NOWAIT 2

int getmntinfo(struct statfs **mntbufp, int flags);
int statfs(const char *path, struct statfs *buf);

#ifdef __cplusplus
}
#endif

#endif
