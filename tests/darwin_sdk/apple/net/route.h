/* Declarations-only stand-in for Apple's <net/route.h> (see
 * tests/darwin_sdk/README.md): the routing-socket message types used. It
 * replaces glibc's <net/route.h> (Linux's struct rtentry) entirely. */
#ifndef MS_DARWIN_SDK_NET_ROUTE_H
#define MS_DARWIN_SDK_NET_ROUTE_H
#define RTM_VERSION 5
#define RTM_IFINFO 0xe
#define RTM_IFINFO2 0x12
#endif
