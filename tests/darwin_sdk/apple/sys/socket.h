/* Overlay of <sys/socket.h> (see tests/darwin_sdk/README.md): the host's
 * socket API, which macOS shares (BSD sockets), plus Apple's routing-socket
 * names, which differ from Linux's (there PF_ROUTE is an alias of netlink). */
#ifndef MS_DARWIN_SDK_SYS_SOCKET_H
#define MS_DARWIN_SDK_SYS_SOCKET_H
#include_next <sys/socket.h>
#undef AF_ROUTE
#undef PF_ROUTE
#define AF_ROUTE 17
#define PF_ROUTE AF_ROUTE
#define NET_RT_IFLIST2 6
#endif
