// netdev collector (macOS): per-interface counters from the routing
// socket's interface list (sysctl {CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLIST2,
// 0}): one RTM_IFINFO2 message per interface carrying struct if_data64, whose
// 64-bit counters do not wrap at 4 GiB as getifaddrs' if_data does.
// Names and labels as node_exporter 1.5's netdev_darwin.go.
#include <net/if.h>
#include <net/route.h>
#include <sys/socket.h>
#include <sys/sysctl.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "exporter/collector.h"
#include "exporter/collectors/darwin_convert/convert.h"

namespace exporter {
namespace {

REGISTER_COLLECTOR_FLAG(device_include, "collector.netdev.device-include", "",
                        "Regexp of net devices to include (mutually exclusive to device-exclude).");
REGISTER_COLLECTOR_FLAG(device_exclude, "collector.netdev.device-exclude", "",
                        "Regexp of net devices to exclude (mutually exclusive to device-include).");

// The interface list, or an error. The list can grow between sizing the
// buffer and filling it (ENOMEM): then it is sized again.
common::Result<std::vector<char>> ReadInterfaceList() {
  int mib[6] = {CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLIST2, 0};
  for (int attempt = 0; attempt < 4; ++attempt) {
    size_t len = 0;
    if (sysctl(mib, 6, nullptr, &len, nullptr, 0) != 0) break;
    std::vector<char> buf(len + 4096);
    len = buf.size();
    if (sysctl(mib, 6, buf.data(), &len, nullptr, 0) == 0) {
      buf.resize(len);
      return buf;
    }
    if (errno != ENOMEM) break;
  }
  return common::Status::IOError(std::string("sysctl NET_RT_IFLIST2: ") + strerror(errno));
}

class NetdevCollector : public Collector {
 public:
  explicit NetdevCollector(const CollectorConfig& c)
      : devices_(c.Flag("collector.netdev.device-include"),
                 c.Flag("collector.netdev.device-exclude"), DeviceFilter::Mode::kExclusive) {}

  common::Status Check() const override { return devices_.Check("netdev"); }

  common::Status Update(MetricSink& sink) override {
    if (auto s = Check(); !s.ok()) return s;
    auto list = ReadInterfaceList();
    if (!list.ok()) return list.status();
    const std::vector<char>& buf = *list;
    std::vector<darwin::Interface> interfaces;
    size_t off = 0;
    while (off + sizeof(if_msghdr) <= buf.size()) {
      // Messages are packed back to back: copy out rather than cast in place.
      if_msghdr hdr;
      std::memcpy(&hdr, buf.data() + off, sizeof(hdr));
      if (hdr.ifm_msglen == 0 || off + hdr.ifm_msglen > buf.size()) break;
      if (hdr.ifm_type == RTM_IFINFO2 && hdr.ifm_msglen >= sizeof(if_msghdr2)) {
        if_msghdr2 msg;
        std::memcpy(&msg, buf.data() + off, sizeof(msg));
        char name[IF_NAMESIZE] = {0};
        if (if_indextoname(msg.ifm_index, name) != nullptr) {
          const if_data64& d = msg.ifm_data;
          darwin::Interface i;
          i.name = name;
          i.data.ifi_ipackets = d.ifi_ipackets;
          i.data.ifi_ierrors = d.ifi_ierrors;
          i.data.ifi_opackets = d.ifi_opackets;
          i.data.ifi_oerrors = d.ifi_oerrors;
          i.data.ifi_collisions = d.ifi_collisions;
          i.data.ifi_ibytes = d.ifi_ibytes;
          i.data.ifi_obytes = d.ifi_obytes;
          i.data.ifi_imcasts = d.ifi_imcasts;
          i.data.ifi_omcasts = d.ifi_omcasts;
          i.data.ifi_iqdrops = d.ifi_iqdrops;
          i.data.ifi_noproto = d.ifi_noproto;
          interfaces.push_back(std::move(i));
        }
      }
      off += hdr.ifm_msglen;
    }
    darwin::ConvertNetdev(interfaces, devices_, sink);
    return common::Status::OK();
  }

 private:
  DeviceFilter devices_;
};

REGISTER_COLLECTOR("netdev", true, NetdevCollector);

}  // namespace
}  // namespace exporter
