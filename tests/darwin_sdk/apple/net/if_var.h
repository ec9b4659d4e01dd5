/* Declarations-only stand-in for Apple's <net/if_var.h> (see
 * tests/darwin_sdk/README.md): struct if_data and struct if_data64, the
 * interface counters of the routing socket's RTM_IFINFO / RTM_IFINFO2. */
#ifndef MS_DARWIN_SDK_NET_IF_VAR_H
#define MS_DARWIN_SDK_NET_IF_VAR_H

#include <stdint.h>

struct timeval32 {
  int32_t tv_sec;
  int32_t tv_usec;
};

#pragma pack(4)
struct if_data {
  unsigned char ifi_type;
  unsigned char ifi_typelen;
  unsigned char ifi_physical;
  unsigned char ifi_addrlen;
  unsigned char ifi_hdrlen;
  unsigned char ifi_recvquota;
  unsigned char ifi_xmitquota;
  unsigned char ifi_unused1;
  uint32_t ifi_mtu;
  uint32_t ifi_metric;
  uint32_t ifi_baudrate;
  uint32_t ifi_ipackets;
  uint32_t ifi_ierrors;
  uint32_t ifi_opackets;
  uint32_t ifi_oerrors;
  uint32_t ifi_collisions;
  uint32_t ifi_ibytes;
  uint32_t ifi_obytes;
  uint32_t ifi_imcasts;
  uint32_t ifi_omcasts;
  uint32_t ifi_iqdrops;
  uint32_t ifi_noproto;
  uint32_t ifi_recvtiming;
  uint32_t ifi_xmittiming;
  struct timeval32 ifi_lastchange;
  uint32_t ifi_unused2;
  uint32_t ifi_hwassist;
  uint32_t ifi_reserved1;
  uint32_t ifi_reserved2;
};

struct if_data64 {
  unsigned char ifi_type;
  unsigned char ifi_typelen;
  unsigned char ifi_physical;
  unsigned char ifi_addrlen;
  unsigned char ifi_hdrlen;
  unsigned char ifi_recvquota;
  unsigned char ifi_xmitquota;
  unsigned char ifi_unused1;
  uint32_t ifi_mtu;
  uint32_t ifi_metric;
  uint64_t ifi_baudrate;
  uint64_t ifi_ipackets;
  uint64_t ifi_ierrors;
  uint64_t ifi_opackets;
  uint64_t ifi_oerrors;
  uint64_t ifi_collisions;
  uint64_t ifi_ibytes;
  uint64_t ifi_obytes;
  uint64_t ifi_imcasts;
  uint64_t ifi_omcasts;
  uint64_t ifi_iqdrops;
  uint64_t ifi_noproto;
  uint32_t ifi_recvtiming;
  uint32_t ifi_xmittiming;
  struct timeval32 ifi_lastchange;
};
#pragma pack()

#endif
