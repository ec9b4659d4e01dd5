/* Overlay of <net/if.h> (see tests/darwin_sdk/README.md): the host's
 * interface-name API (if_indextoname, IF_NAMESIZE, IFF_*), which macOS
 * shares, plus Apple's routing-socket interface messages. */
#ifndef MS_DARWIN_SDK_NET_IF_H
#define MS_DARWIN_SDK_NET_IF_H
#include_next <net/if.h>
#include <net/if_var.h>

struct if_msghdr {
  unsigned short ifm_msglen;
  unsigned char ifm_version;
  unsigned char ifm_type;
  int ifm_addrs;
  int ifm_flags;
  unsigned short ifm_index;
  struct if_data ifm_data;
};

struct if_msghdr2 {
  unsigned short ifm_msglen;
  unsigned char ifm_version;
  unsigned char ifm_type;
  int ifm_addrs;
  int ifm_flags;
  unsigned short ifm_index;
  int ifm_snd_len;
  int ifm_snd_maxlen;
  int ifm_snd_drops;
  int ifm_timer;
  struct if_data64 ifm_data;
};
#endif
